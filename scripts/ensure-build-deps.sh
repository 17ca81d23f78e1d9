#!/usr/bin/env bash
# mysqlclient compiles against the MariaDB client library: make sure pkg-config and its headers exist.
set -euo pipefail
if command -v pkg-config >/dev/null 2>&1 && { pkg-config --exists libmariadb || pkg-config --exists mysqlclient; }; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing pkg-config and libmariadb-dev (needed to build mysqlclient)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pkg-config libmariadb-dev >/dev/null
  exit 0
fi
echo "mysqlclient needs pkg-config and the MariaDB client headers:" >&2
echo "  sudo apt-get install pkg-config libmariadb-dev" >&2
exit 1
