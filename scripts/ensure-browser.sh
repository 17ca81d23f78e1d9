#!/usr/bin/env bash
# The browser tests (tests/browser) and `make screenshots` drive Debian's chromium, with the Noto
# CJK fonts for the Korean pages. Install both with apt when run as root, else stop with the
# command to run. A browser build downloaded by `playwright install` is never used.
# CHROMIUM names another Chromium binary (then nothing is installed).
set -euo pipefail
chromium=${CHROMIUM:-/usr/bin/chromium}
have_chromium() { [[ -x $chromium ]]; }
have_cjk_font() { command -v fc-list >/dev/null 2>&1 && fc-list :lang=ko family | grep -q "Noto Sans CJK"; }
if have_chromium && have_cjk_font; then
  exit 0
fi
missing=()
have_chromium || [[ -n ${CHROMIUM:-} ]] || missing+=(chromium)
have_cjk_font || missing+=(fonts-noto-cjk fontconfig)
if [[ ${#missing[@]} -gt 0 && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} (browser tests)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  if have_chromium && have_cjk_font; then
    exit 0
  fi
fi
have_chromium || echo "No chromium at $chromium." >&2
have_cjk_font || echo "No Korean font (Noto Sans CJK)." >&2
echo "The browser tests need Debian's chromium and the Noto CJK fonts:" >&2
echo "  sudo apt-get install chromium fonts-noto-cjk" >&2
echo "or set CHROMIUM to a Chromium binary. ('playwright install' is not used.)" >&2
exit 1
