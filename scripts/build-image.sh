#!/usr/bin/env bash
# Builds the production image (Dockerfile) without a Docker engine: Debian's buildah, vfs storage,
# chroot isolation. The Python base image comes from no registry here: a stand-in is made once
# with debootstrap (Debian bookworm + python3, venv, headers, `python` on PATH), imported into
# buildah's storage and passed to the Dockerfile as PYTHON_IMAGE. `make image` runs this script.
#
#   scripts/build-image.sh               build (the base is reused once made)
#   IMAGE=partner42:dev scripts/build-image.sh
#   REBUILD_BASE=1 scripts/build-image.sh   make the stand-in base again
#
# The stand-in also trusts the host's extra certificate authorities (EXTRA_CA_DIR, default
# /usr/local/share/ca-certificates), for a network whose HTTPS goes through an inspecting proxy.
# Needs root (debootstrap, buildah on vfs). Where a registry is reachable, leave PYTHON_IMAGE
# alone and build with `docker build .` or `buildah bud .` instead.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMAGE=${IMAGE:-localhost/partner42:latest}
BASE_IMAGE=${BASE_IMAGE:-localhost/partner42-python-base:bookworm}
ARTIFACTS=${ARTIFACTS:-$ROOT/.artifacts/image}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BUILDAH=(buildah --storage-driver vfs)

log() { echo "build-image: $*" >&2; }

# PYTHON_IMAGE=docker.io/library/python:3.11-slim-bookworm (where a registry is reachable, as in
# CI) skips the stand-in and builds on the real base.
tools=(buildah)
[[ -z ${PYTHON_IMAGE:-} ]] && tools+=(debootstrap)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || {
    log "$tool is missing: apt-get install -y buildah debootstrap"
    exit 1
  }
done
if [[ $(id -u) -ne 0 ]]; then
  log "run as root (debootstrap and buildah's vfs storage need it)"
  exit 1
fi

# --- 1. the stand-in for python:3.11-slim-bookworm ---------------------------------------------
make_base() {
  local rootfs=$ARTIFACTS/rootfs tarball=$ARTIFACTS/base-rootfs.tar
  if [[ ! -s $tarball || -n ${REBUILD_BASE:-} ]]; then
    log "debootstrap bookworm into $rootfs (a few minutes, once)"
    rm -rf "$rootfs"
    mkdir -p "$ARTIFACTS"
    debootstrap --variant=minbase \
      --include=python3,python3-venv,python3-dev,python-is-python3,ca-certificates \
      bookworm "$rootfs" "$MIRROR"
    # What the official slim image also leaves out: package caches and lists.
    chroot "$rootfs" apt-get clean
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
    tar -C "$rootfs" --numeric-owner -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
    "${BUILDAH[@]}" rmi "$BASE_IMAGE" >/dev/null 2>&1 || true
  fi
  if ! "${BUILDAH[@]}" inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
    log "import $tarball as $BASE_IMAGE"
    local ctr
    ctr=$("${BUILDAH[@]}" from scratch)
    "${BUILDAH[@]}" add "$ctr" "$tarball" /
    # Where outbound HTTPS goes through an inspecting proxy (this machine's egress), the image must
    # trust the same extra certificate authorities as the host for pip and apt to work.
    local extra_ca=(${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}/*.crt)
    if [[ -e ${extra_ca[0]} ]]; then
      log "trust the host's extra CAs: ${extra_ca[*]}"
      "${BUILDAH[@]}" copy "$ctr" "${extra_ca[@]}" /usr/local/share/ca-certificates/
      "${BUILDAH[@]}" run --isolation chroot "$ctr" -- update-ca-certificates >/dev/null
    fi
    "${BUILDAH[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --env LANG=C.UTF-8 --cmd python3 "$ctr"
    "${BUILDAH[@]}" commit --rm "$ctr" "$BASE_IMAGE" >/dev/null
  fi
}

if [[ -n ${PYTHON_IMAGE:-} ]]; then
  BASE_IMAGE=$PYTHON_IMAGE
else
  make_base
fi

# --- 2. the image itself, from the repository's Dockerfile -------------------------------------
log "build $IMAGE from Dockerfile on $BASE_IMAGE"
# Docker's format: OCI image configs have no HEALTHCHECK, and the Dockerfile's would be dropped.
"${BUILDAH[@]}" bud --isolation chroot --network host --layers=false --format docker \
  --build-arg "PYTHON_IMAGE=$BASE_IMAGE" -t "$IMAGE" -f "$ROOT/Dockerfile" "$ROOT"
# The previous build's image, now untagged, would only fill the disk (vfs stores full copies).
"${BUILDAH[@]}" rmi --prune >/dev/null 2>&1 || true
log "built $IMAGE"
