#!/bin/sh
# Runs once, when the postgres image initialises an empty data volume (docker-entrypoint-initdb.d),
# as the superuser (executable, so the image runs it in a shell of its own rather than sourcing
# it). No service connects as the superuser afterwards:
#   temporal   creates and owns Temporal's two databases (docker/temporal-setup-schema.sh)
#   insurflow  owns the application's database and runs its migrations; migration 0014 creates the
#              role the API and workers use, hence CREATEROLE
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" -v insurflow_password="$INSURFLOW_DB_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
CREATE ROLE insurflow LOGIN CREATEROLE PASSWORD :'insurflow_password';
CREATE DATABASE insurflow OWNER insurflow;
SQL
