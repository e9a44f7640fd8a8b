#!/usr/bin/env bash
# Tools the test suite drives for real: GDAL's command-line programs, Debian's Chromium, poppler's pdftotext, and
# nginx (the shared HTTP cache of deploy/nginx, run by the tests from a temporary directory, never as a service).
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
