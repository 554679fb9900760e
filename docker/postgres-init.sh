#!/usr/bin/env bash
# Creates one database per service (DESIGN §2: no service reads another's database).
#
# The postgres image runs this from /docker-entrypoint-initdb.d once, when its data volume is first
# initialised. Each service's `init` also creates its database if missing, so this is belt and braces;
# it is idempotent, so it is also safe to run by hand against an existing server (PGHOST etc.).
set -euo pipefail

# Keep in step with shared/config.py SERVICE_PORTS (tests/test_compose.py checks it).
databases=(
    skillpass_identity
    skillpass_passport
    skillpass_signoff
    skillpass_certificate
    skillpass_planning
    skillpass_metrics
)

# CREATE DATABASE has no IF NOT EXISTS and cannot run inside a DO block, hence the \gexec idiom:
# the SELECT yields the statement only when the database is missing, and psql executes it.
for db in "${databases[@]}"; do
    psql -v ON_ERROR_STOP=1 --no-psqlrc \
        --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" <<SQL
SELECT 'CREATE DATABASE ${db}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${db}')\gexec
SQL
done
