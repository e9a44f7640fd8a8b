#!/usr/bin/env bash
# Install the map pages' JavaScript and CSS from the npm registry into node_modules/ (served by the app).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)
[ -f "$stamp" ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  echo "installing npm (Debian package)"
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq npm >/dev/null
fi
npm ci --no-audit --no-fund --loglevel=error
touch "$stamp"
echo "web assets ready (node_modules)"
