#!/usr/bin/env bash
# mysqlclient compiles against the MariaDB client library: make sure pkg-config and its headers
# exist. The deploy tests (tests/deploy/) also run nginx on deploy/nginx and curl.
set -euo pipefail
have_mariadb_headers() {
  command -v pkg-config >/dev/null 2>&1 && { pkg-config --exists libmariadb || pkg-config --exists mysqlclient; }
}
have_nginx() { command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; }
# `ensure-build-deps.sh mysql` (make run on MariaDB): only what mysqlclient needs.
if [[ ${1:-} == mysql ]]; then
  have_mariadb_headers && exit 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing pkg-config and libmariadb-dev (to build mysqlclient)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pkg-config libmariadb-dev >/dev/null
    exit 0
  fi
  echo "mysqlclient needs pkg-config and the MariaDB client headers:" >&2
  echo "  sudo apt-get install pkg-config libmariadb-dev" >&2
  exit 1
fi
if have_mariadb_headers && have_nginx && command -v curl >/dev/null 2>&1; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing pkg-config and libmariadb-dev (to build mysqlclient), nginx and curl (deploy tests)..."
  apt-get update -qq
  # nginx-light where Debian still has it (bookworm), else nginx.
  nginx_package=nginx-light
  apt-cache show nginx-light >/dev/null 2>&1 || nginx_package=nginx
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    pkg-config libmariadb-dev "$nginx_package" curl >/dev/null
  exit 0
fi
echo "mysqlclient needs pkg-config and the MariaDB client headers; the deploy tests need nginx and curl:" >&2
echo "  sudo apt-get install pkg-config libmariadb-dev nginx curl" >&2
exit 1
