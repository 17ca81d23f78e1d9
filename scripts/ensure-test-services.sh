#!/usr/bin/env bash
# Make sure MariaDB and Redis answer at DATABASE_URL / REDIS_URL; start a stopped local one when it
# is installed, else stop with a message that says how to get it.
set -euo pipefail

hostport() {  # URL default-port -> "host port"
  local rest=${1#*://}
  rest=${rest#*@}
  rest=${rest%%/*}
  local host=${rest%%:*} port=$2
  [[ $rest == *:* ]] && port=${rest##*:}
  echo "$host $port"
}

up() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_up() {
  for _ in $(seq 1 60); do up "$1" "$2" && return 0; sleep 0.5; done
  return 1
}

local_host() { [[ $1 == 127.0.0.1 || $1 == localhost || $1 == ::1 ]]; }

read -r db_host db_port < <(hostport "${DATABASE_URL:?DATABASE_URL is not set}" 3306)
if ! up "$db_host" "$db_port"; then
  if local_host "$db_host" && [[ -x /usr/sbin/mariadbd ]]; then
    echo "MariaDB is not running: starting it..."
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    wait_up "$db_host" "$db_port" || { echo "MariaDB did not come up on $db_host:$db_port" >&2; exit 1; }
  else
    echo "MariaDB is not reachable at $db_host:$db_port." >&2
    echo "Install it ('sudo apt-get install mariadb-server') or point DATABASE_URL at one." >&2
    exit 1
  fi
fi

read -r redis_host redis_port < <(hostport "${REDIS_URL:?REDIS_URL is not set}" 6379)
if ! up "$redis_host" "$redis_port"; then
  if local_host "$redis_host" && command -v redis-server >/dev/null 2>&1; then
    echo "Redis is not running: starting it..."
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$redis_port" --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_up "$redis_host" "$redis_port" || { echo "Redis did not come up on $redis_host:$redis_port" >&2; exit 1; }
  else
    echo "Redis is not reachable at $redis_host:$redis_port." >&2
    echo "Install it ('sudo apt-get install redis-server') or point REDIS_URL at one." >&2
    exit 1
  fi
fi
