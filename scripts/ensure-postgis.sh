#!/usr/bin/env bash
# Make sure a PostGIS server is reachable: DATABASE_URL's if set, else the local PostgreSQL,
# installing the Debian packages and starting the cluster when needed. Safe to run repeatedly.
set -euo pipefail

if [ -n "${DATABASE_URL:-}" ]; then
  echo "using DATABASE_URL (the server must have PostGIS 3 installed)"
  exit 0
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get -o DPkg::Lock::Timeout=600 update -qq; apt_updated=1; }
  echo "installing $* (Debian packages)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

command -v pg_lsclusters >/dev/null 2>&1 || apt_install postgresql postgresql-contrib
if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  apt_install postgis
fi

# Start the (first) cluster if it is down; systemd may be absent (containers, CI).
read -r version cluster status < <(pg_lsclusters --no-header | awk '{print $1, $2, $4; exit}') || true
if [ -z "${version:-}" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  as_root pg_createcluster "$version" main >/dev/null
  cluster=main; status=down
fi
if [ "$status" != "online" ]; then
  echo "starting PostgreSQL $version/$cluster"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
fi

# The app's own role (superuser on this local development server: it creates extensions and
# throwaway test databases). Password login works with trust, md5 and scram-sha-256 alike.
as_root runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'zoneatlas') THEN
    CREATE ROLE zoneatlas LOGIN SUPERUSER PASSWORD 'zoneatlas';
  END IF;
END $$;
SQL
echo "PostGIS ready on 127.0.0.1:5432 (role zoneatlas)"
