#!/bin/sh
# Once the Temporal server answers: creates the application's namespace if missing and registers
# the search attributes every workflow upserts (src/shared/search-attributes.ts). Safe to run on
# every start: an existing namespace is kept, a search attribute already registered with the same
# type is left as it is (with another type the job fails, loudly). Run by the
# temporal-setup-namespace job in docker-compose.yml and by the test suite, so everything comes
# from the environment:
#   TEMPORAL_ADDRESS        host:port of the frontend (the temporal CLI reads it itself)
#   TEMPORAL_NAMESPACE      default
#   TEMPORAL_CLI            temporal
#   TEMPORAL_WAIT_SECONDS   60: how long to wait for the server to answer
set -eu

: "${TEMPORAL_ADDRESS:?set TEMPORAL_ADDRESS to the Temporal frontend, host:port}"
export TEMPORAL_ADDRESS
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
TEMPORAL_CLI="${TEMPORAL_CLI:-temporal}"
WAIT_SECONDS="${TEMPORAL_WAIT_SECONDS:-60}"

# Retries a command every 2 s until it succeeds or WAIT_SECONDS have passed.
retry() {
  waited=0
  until "$@"; do
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
      echo "gave up after ${WAIT_SECONDS}s: $*" >&2
      return 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
}

retry "$TEMPORAL_CLI" operator cluster health

if "$TEMPORAL_CLI" operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  "$TEMPORAL_CLI" operator namespace create --namespace "$NAMESPACE"
fi

# A namespace created a moment ago takes a few seconds to be known to every server component.
retry "$TEMPORAL_CLI" operator search-attribute list --namespace "$NAMESPACE" >/dev/null
"$TEMPORAL_CLI" operator search-attribute create --namespace "$NAMESPACE" \
  --name TenantId --type Keyword \
  --name BusinessStatus --type Keyword \
  --name AssigneeId --type Keyword \
  --name DueAt --type Datetime
