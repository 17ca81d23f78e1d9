#!/usr/bin/env bash
# Blue/green switch of nginx's upstreams (see docs/operations.md, "Blue/green deploys").
#
#   bluegreen.sh status              the live colour
#   bluegreen.sh switch blue|green   health-gate the colour, make it live, reload nginx
#   bluegreen.sh rollback            switch back to the colour that was live before
#
# A switch changes nothing unless every readiness URL of the new colour answers 200 (retried).
# Then it installs upstreams/<colour>.conf as the live upstream file, runs `nginx -t` and reloads;
# if the test, the reload or the check through nginx (BG_VERIFY_URL) fails, it puts the previous
# file back and reloads again. Exit 0: the colour is live; 1: it is not (nginx as before); 2: usage.
#
# Environment (defaults suit deploy/compose.yml run from the repository's root or deploy/):
#   BG_NGINX               command that runs nginx   (docker compose -f deploy/compose.yml exec -T nginx nginx)
#   BG_STATE_DIR           live upstream file's dir   (deploy/nginx-state, mounted at /etc/nginx/state)
#   BG_UPSTREAMS_DIR       the colours' files         (deploy/nginx/upstreams)
#   BG_HEALTH_URLS_BLUE    readiness URLs of blue     (web-blue and realtime-blue on loopback)
#   BG_HEALTH_URLS_GREEN   readiness URLs of green
#   BG_HEALTH_HOST         Host header of the checks, one of ALLOWED_HOSTS (localhost)
#   BG_HEALTH_RETRIES      tries per URL (30)   BG_HEALTH_INTERVAL  seconds between tries (2)
#   BG_VERIFY_URL          optional URL through nginx that must answer 200 after the reload
set -euo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE_DIR=${BG_STATE_DIR:-$DEPLOY_DIR/nginx-state}
UPSTREAMS_DIR=${BG_UPSTREAMS_DIR:-$DEPLOY_DIR/nginx/upstreams}
NGINX=${BG_NGINX:-docker compose -f $DEPLOY_DIR/compose.yml exec -T nginx nginx}
HEALTH_URLS_BLUE=${BG_HEALTH_URLS_BLUE:-http://127.0.0.1:8001/readyz http://127.0.0.1:8011/readyz}
HEALTH_URLS_GREEN=${BG_HEALTH_URLS_GREEN:-http://127.0.0.1:8002/readyz http://127.0.0.1:8012/readyz}
HEALTH_HOST=${BG_HEALTH_HOST:-localhost}
RETRIES=${BG_HEALTH_RETRIES:-30}
INTERVAL=${BG_HEALTH_INTERVAL:-2}
VERIFY_URL=${BG_VERIFY_URL:-}

ACTIVE=$STATE_DIR/active.conf
BACKUP=$STATE_DIR/active.conf.previous
PREVIOUS=$STATE_DIR/previous-colour

log() { echo "bluegreen: $*" >&2; }

usage() {
  echo "usage: $(basename "$0") status | switch blue|green | rollback" >&2
  exit 2
}

live_colour() {
  [[ -f $ACTIVE ]] || { echo none; return; }
  sed -n 's/^# colour: \([a-z]*\).*/\1/p' "$ACTIVE" | head -n 1
}

# GET the URL until it answers 200, at most RETRIES times.
answers_200() {
  local url=$1 try
  for ((try = 1; try <= RETRIES; try++)); do
    if curl -fsS -o /dev/null --max-time 5 -H "Host: $HEALTH_HOST" "$url" 2>/dev/null; then
      return 0
    fi
    ((try < RETRIES)) && sleep "$INTERVAL"
  done
  return 1
}

health_gate() {
  local colour=$1 urls url
  if [[ $colour == blue ]]; then urls=$HEALTH_URLS_BLUE; else urls=$HEALTH_URLS_GREEN; fi
  for url in $urls; do
    if ! answers_200 "$url"; then
      log "$colour is not ready: $url did not answer 200 after $RETRIES tries"
      return 1
    fi
    log "$colour ready: $url"
  done
}

# $NGINX is a command line of several words (docker compose ... nginx): split on purpose.
nginx_cmd() {
  # shellcheck disable=SC2086
  $NGINX "$@"
}

# Put the previous live file back (or none, if there was none) and reload nginx with it.
restore() {
  if [[ -f $BACKUP ]]; then
    mv -f "$BACKUP" "$ACTIVE"
  else
    rm -f "$ACTIVE"
  fi
  if nginx_cmd -t && nginx_cmd -s reload; then
    log "rolled back to $(live_colour)"
  else
    log "ROLLBACK FAILED: nginx does not accept the previous configuration either; look now"
  fi
}

switch() {
  local target=$1 current
  [[ $target == blue || $target == green ]] || usage
  [[ -f $UPSTREAMS_DIR/$target.conf ]] || { log "no $UPSTREAMS_DIR/$target.conf"; exit 1; }
  current=$(live_colour)
  if [[ $current == "$target" ]]; then
    log "$target is already live"
    return 0
  fi

  health_gate "$target" || { log "nginx untouched: $current stays live"; exit 1; }

  mkdir -p "$STATE_DIR"
  if [[ -f $ACTIVE ]]; then cp -p "$ACTIVE" "$BACKUP"; else rm -f "$BACKUP"; fi
  # Rename over the old file: nginx never reads a half-written one.
  cp "$UPSTREAMS_DIR/$target.conf" "$ACTIVE.tmp"
  mv -f "$ACTIVE.tmp" "$ACTIVE"

  if ! nginx_cmd -t; then
    log "nginx -t refused the $target upstreams"
    restore
    exit 1
  fi
  if ! nginx_cmd -s reload; then
    log "nginx reload failed"
    restore
    exit 1
  fi
  if [[ -n $VERIFY_URL ]] && ! answers_200 "$VERIFY_URL"; then
    log "$VERIFY_URL did not answer 200 through nginx after the switch"
    restore
    exit 1
  fi

  rm -f "$BACKUP"
  [[ $current != none ]] && echo "$current" >"$PREVIOUS"
  log "$target is live (was $current)"
}

command=${1:-}
case $command in
  status)
    live_colour
    ;;
  switch)
    [[ $# -eq 2 ]] || usage
    switch "$2"
    ;;
  rollback)
    previous=$(cat "$PREVIOUS" 2>/dev/null || true)
    [[ -n $previous ]] || { log "no previous colour recorded"; exit 1; }
    switch "$previous"
    ;;
  *)
    usage
    ;;
esac
