#!/bin/sh
# Runs in the nginx image before it starts (/docker-entrypoint.d/): on a first start the state
# directory is empty, so blue is the live colour until deploy/bluegreen.sh says otherwise.
set -eu
state=/etc/nginx/state
if [ ! -s "$state/active.conf" ]; then
    mkdir -p "$state"
    cp /etc/nginx/partner42/upstreams/blue.conf "$state/active.conf"
    echo "partner42: no live colour yet, starting with blue"
fi
