#!/usr/bin/env bash
# One image, every role: `entrypoint.sh ROLE [ARGS...]` execs the process of that role.
#
#   web         gunicorn on partner42.wsgi (pages, API, admin), port $PORT (8000)
#   realtime    daphne on partner42.asgi (/ws/alarms/, /api/alarm/subscribe), port $PORT
#   matchmaker  Celery worker on queue matchmaking, concurrency 1
#   worker      Celery worker on queue default
#   beat        Celery beat (the matchmaking tick)
#   migrate     manage.py migrate, then exit
#   shell       manage.py shell
#   manage      manage.py ARGS... (e.g. `manage createsuperuser`)
#   healthcheck the image's HEALTHCHECK: probes whatever role this container runs (web: /healthz,
#               realtime: /readyz/realtime, workers: a Celery ping)
#
# web, realtime, matchmaker and worker also start the container's metrics exporter on
# $METRICS_PORT (9100): `manage.py serve_metrics`, which Prometheus scrapes.
#
# ENTRYPOINT_DRY_RUN=1 prints the commands instead of running them (tests; or
# `docker run -e ENTRYPOINT_DRY_RUN=1 IMAGE worker` to see what a role runs). An unknown role
# exits 2.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
APP_DIR=$(dirname "$HERE")
PORT=${PORT:-8000}
METRICS_PORT=${METRICS_PORT:-9100}
ROLE_FILE=${ROLE_FILE:-/tmp/partner42-role}
DRY_RUN=${ENTRYPOINT_DRY_RUN:-}

usage() {
  echo "usage: $(basename "$0") web|realtime|matchmaker|worker|beat|migrate|shell|manage ARGS|healthcheck" >&2
}

# Print the command in dry-run mode, else replace this shell with it.
run() {
  if [[ -n $DRY_RUN ]]; then
    echo "exec $*"
    return 0
  fi
  exec "$@"
}

# A helper process that lives beside the main one (the metrics exporter).
background() {
  if [[ -n $DRY_RUN ]]; then
    echo "background $*"
    return 0
  fi
  "$@" &
}

# Metrics of several processes (gunicorn workers, Celery children) are summed from files in this
# directory; stale files of a previous container run would count twice, so it starts empty.
prepare_metrics_dir() {
  export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus}
  [[ -n $DRY_RUN ]] && return 0
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
  find "$PROMETHEUS_MULTIPROC_DIR" -mindepth 1 -delete
}

# One-shot and single-process roles have no exporter: their metrics files would only pile up in
# the directory of the container's exporter (a health check runs every minute), so they keep
# their metrics in memory.
no_metrics_dir() {
  unset PROMETHEUS_MULTIPROC_DIR
}

remember_role() {
  [[ -n $DRY_RUN ]] && return 0
  echo "$1" >"$ROLE_FILE" 2>/dev/null || true
}

# Static files are collected into the image; nginx serves them from a volume shared with the web
# containers. Hashed names never collide, so blue and green can both add theirs.
export_static() {
  [[ -z ${STATIC_EXPORT_DIR:-} || -n $DRY_RUN ]] && return 0
  local from=${STATIC_ROOT:-$APP_DIR/staticfiles}
  [[ -d $from ]] || return 0
  mkdir -p "$STATIC_EXPORT_DIR"
  cp -R "$from/." "$STATIC_EXPORT_DIR/"
}

# A GET that sends a Host Django accepts (ALLOWED_HOSTS) and says the proxy's scheme is https,
# so that SECURE_SSL_REDIRECT leaves it alone.
http_ok() {
  python - "$1" <<'PY'
import os, sys, urllib.request
host = os.environ.get("HEALTHCHECK_HOST") or os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0]
request = urllib.request.Request(sys.argv[1], headers={"Host": host.strip().lstrip("."), "X-Forwarded-Proto": "https"})
with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (a local URL)
    sys.exit(0 if response.status == 200 else 1)
PY
}

healthcheck() {
  no_metrics_dir
  local role
  role=$(cat "$ROLE_FILE" 2>/dev/null || echo unknown)
  case $role in
    web) http_ok "http://127.0.0.1:$PORT/healthz" ;;
    # Alive is not enough: a daphne whose channel layer is gone answers /healthz but serves no
    # alarm. /readyz/realtime round-trips a message through this process's channel layer.
    realtime) http_ok "http://127.0.0.1:$PORT/readyz/realtime" ;;
    matchmaker | worker)
      # The worker answers a ping over the broker, so this also proves the broker link.
      celery -A partner42 inspect ping --timeout 5 -d "$role@$(hostname)" >/dev/null
      ;;
    *) kill -0 1 ;; # beat and one-shot roles: the main process is alive
  esac
}

role=${1:-}
[[ $# -gt 0 ]] && shift
cd "$APP_DIR"

case $role in
  web)
    remember_role web
    prepare_metrics_dir
    export_static
    background python manage.py serve_metrics --port "$METRICS_PORT"
    run gunicorn partner42.wsgi:application --config "$HERE/gunicorn.conf.py" "$@"
    ;;
  realtime)
    remember_role realtime
    prepare_metrics_dir
    background python manage.py serve_metrics --port "$METRICS_PORT"
    # --proxy-headers: client addresses from nginx's X-Forwarded-For. No HTTP timeout: the SSE
    # stream stays open for as long as the client listens. Its access log shows the stream's
    # accessToken as [REDACTED] (partner42/asgi.py), and it keeps no database connection open.
    run daphne --bind 0.0.0.0 --port "$PORT" --proxy-headers \
      --application-close-timeout 10 partner42.asgi:application "$@"
    ;;
  matchmaker)
    remember_role matchmaker
    prepare_metrics_dir
    background python manage.py serve_metrics --port "$METRICS_PORT" --queue-lengths
    # Concurrency 1: one matchmaking run at a time per worker, in arrival order.
    run celery -A partner42 worker -Q matchmaking -c 1 -n "matchmaker@%h" \
      --loglevel "${CELERY_LOG_LEVEL:-INFO}" "$@"
    ;;
  worker)
    remember_role worker
    prepare_metrics_dir
    background python manage.py serve_metrics --port "$METRICS_PORT" --queue-lengths
    run celery -A partner42 worker -Q default -c "${CELERY_CONCURRENCY:-2}" -n "worker@%h" \
      --loglevel "${CELERY_LOG_LEVEL:-INFO}" "$@"
    ;;
  beat)
    remember_role beat
    no_metrics_dir
    # The image's files are read-only for its user: the schedule and pid live in /tmp.
    run celery -A partner42 beat --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}" \
      --pidfile /tmp/celerybeat.pid --loglevel "${CELERY_LOG_LEVEL:-INFO}" "$@"
    ;;
  migrate)
    remember_role migrate
    no_metrics_dir
    run python manage.py migrate --noinput "$@"
    ;;
  shell)
    no_metrics_dir
    run python manage.py shell "$@"
    ;;
  manage)
    no_metrics_dir
    run python manage.py "$@"
    ;;
  healthcheck)
    healthcheck
    ;;
  *)
    echo "unknown role: '${role}'" >&2
    usage
    exit 2
    ;;
esac
