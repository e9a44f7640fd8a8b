#!/usr/bin/env bash
# Create .venv and install the project into it; re-runs only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
[ -f "$stamp" ] && exit 0

if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
  # Debian/Ubuntu ship venv/ensurepip separately.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing python3-venv (Debian package)"
    apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3-venv >/dev/null
  else
    echo "error: $PYTHON cannot create virtual environments; install python3-venv" >&2; exit 1
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
rm -f .venv/.installed-*
touch "$stamp"
echo "python environment ready (.venv)"
