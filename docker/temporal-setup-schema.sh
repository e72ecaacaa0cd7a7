#!/bin/sh
# Creates Temporal's two PostgreSQL databases if missing and brings their schemas to the version
# the server expects. Safe to run on every start: create-database accepts an existing database,
# setup-schema and update-schema apply only what is missing. Run by the temporal-admin-tools job
# in docker-compose.yml (the defaults are that image's paths) and by the test suite with locally
# built binaries, so everything comes from the environment:
#   SQL_HOST, SQL_PORT (5432), SQL_USER, SQL_PASSWORD   where PostgreSQL is and who creates the databases
#   TEMPORAL_SQL_TOOL      temporal-sql-tool
#   TEMPORAL_SCHEMA_DIR    /etc/temporal/schema/postgresql/v12 (holds temporal/ and visibility/)
#   TEMPORAL_DB            temporal
#   TEMPORAL_VISIBILITY_DB temporal_visibility
set -eu

: "${SQL_HOST:?set SQL_HOST to the PostgreSQL host}"
: "${SQL_USER:?set SQL_USER to a PostgreSQL role allowed to create databases}"
: "${SQL_PASSWORD:?set SQL_PASSWORD}"
SQL_PORT="${SQL_PORT:-5432}"
TEMPORAL_SQL_TOOL="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
TEMPORAL_SCHEMA_DIR="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"
TEMPORAL_DB="${TEMPORAL_DB:-temporal}"
TEMPORAL_VISIBILITY_DB="${TEMPORAL_VISIBILITY_DB:-temporal_visibility}"
# temporal-sql-tool reads the connection from these variables itself.
export SQL_HOST SQL_PORT SQL_USER SQL_PASSWORD
export SQL_PLUGIN=postgres12

setup_database() {
  database=$1
  versioned_dir=$2
  "$TEMPORAL_SQL_TOOL" --db "$database" create-database
  "$TEMPORAL_SQL_TOOL" --db "$database" setup-schema -v 0.0
  "$TEMPORAL_SQL_TOOL" --db "$database" update-schema -d "$versioned_dir"
  echo "database $database is at the schema in $versioned_dir"
}

setup_database "$TEMPORAL_DB" "$TEMPORAL_SCHEMA_DIR/temporal/versioned"
setup_database "$TEMPORAL_VISIBILITY_DB" "$TEMPORAL_SCHEMA_DIR/visibility/versioned"
