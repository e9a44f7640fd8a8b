#!/usr/bin/env bash
# Run once by the postgis image when it creates the primary's cluster (docker-compose.yml mounts it into
# /docker-entrypoint-initdb.d): lets the `db-replica` service of the `scale` profile stream from it.
set -euo pipefail
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
