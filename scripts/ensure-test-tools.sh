#!/usr/bin/env bash
# Tools the test suite drives for real: GDAL's command-line programs, Debian's Chromium, poppler's pdftotext,
# nginx (the shared HTTP cache of deploy/nginx, run by the tests from a temporary directory, never as a service),
# Compose's own parser (Debian's docker-compose validates docker-compose.yml; no Docker engine is needed or started),
# and a local PostgreSQL server with PostGIS (initdb, pg_ctl, pg_basebackup): the read-replica tests make their own
# primary and standby on free ports even when DATABASE_URL points at another server.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/pg_basebackup /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || need+=(postgis)
[ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian packages)"
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v docker-compose >/dev/null 2>&1; then  # without its recommended docker.io: no engine is installed
  echo "installing docker-compose (Debian package)"
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends docker-compose >/dev/null
fi
