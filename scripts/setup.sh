#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: npm packages (when missing or stale), the
# compiled code and workflow bundle (when a source changed since the last build), and servers built
# from the Go module proxy / Maven Central into ~/.cache/insurflow and reused afterwards.
#
#   bash scripts/setup.sh          everything the tests run: the Temporal CLI (dev server), the
#                                  time-skipping test server, the Temporal server and its SQL tool,
#                                  the Docker Compose CLI (checks docker-compose.yml), MinIO,
#                                  promtool (checks the alert rules), Keycloak (the OpenID provider of
#                                  the company sign-in tests), stripe-mock (the payment provider's
#                                  tests), the pain.001.001.09 schema (from PyPI's sepaxml wheel,
#                                  for the payment files' test), Helm, kubeconform and the Kubernetes
#                                  JSON schemas (from PyPI's kubernetes-validate wheel; they check the
#                                  Helm chart), Chromium, poppler-utils, curl and jq (apt-get, as root); fails saying why
#                                  when one of them cannot be installed
#   bash scripts/setup.sh --stack  what the start command runs: the Temporal CLI and stripe-mock
#   bash scripts/setup.sh --packages  the npm packages only (the test script lints beside the rest)
#
# First builds run side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-runtime.sh

if [ "${1:-}" = "--stack" ]; then
  tools=(temporal-cli stripe-mock)
else
  tools=(temporal-cli test-server temporal-server docker-compose minio promtool keycloak stripe-mock pain001-xsd helm kubeconform kubernetes-schemas)
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: the lock names every platform's optional binaries (@swc/core-*),
  # and registries that lack some of them make `npm ci` refuse the whole lock.
  echo "[setup] installing npm packages"
  npm install --no-audit --no-fund
fi
[ "${1:-}" = "--packages" ] && exit 0
# The build's stamp is written after a build succeeds; a source, a config or the install newer than it
# means building again.
stamp=dist/.build-complete
if [ -f "$stamp" ] && [ -z "$(find src worker scripts bench tests/support package.json package-lock.json tsconfig.json node_modules/.package-lock.json -newer "$stamp" -print -quit)" ]; then
  echo "[setup] compiled code and workflow bundle are up to date"
else
  echo "[setup] compiling TypeScript and bundling workflows"
  rm -f "$stamp"
  npm run --silent build
  touch "$stamp"
fi
pids=()
# Debian packages, installed beside the builds when missing (root with apt-get, one apt-get for all):
# Chromium, for the browser tests (GraphiQL, the pages under /app), poppler-utils (pdftotext,
# pdftoppm), with which the policy schedule tests read and draw the PDFs, and curl and jq. Without them set-up fails
# and says why: CI fails a test whose tool is missing rather than skip it (docs/testing.md, No skips in CI).
debian_help="the browser tests need chromium (or set CHROMIUM_PATH), the policy schedule tests poppler-utils, the README tour's test curl and jq: install them with apt-get install, as root"
debian_packages=()
if [ "${1:-}" != "--stack" ]; then
  if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    debian_packages+=(chromium)
  fi
  if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null; then
    debian_packages+=(poppler-utils)
  fi
  # The newcomer test runs the README's tour as written, with curl and jq.
  for tool in curl jq; do command -v $tool >/dev/null || debian_packages+=($tool); done
fi
if [ ${#debian_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "[setup] ${debian_packages[*]} missing and only root with apt-get installs them here; $debian_help" >&2
    exit 1
  fi
  echo "[setup] installing ${debian_packages[*]} (apt-get)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debian_packages[@]}" >/dev/null ||
    { echo "[setup] could not install ${debian_packages[*]} (apt-get failed, its error is above); $debian_help" >&2; exit 1; }) &
  pids+=($!)
fi
echo "[setup] locating ${tools[*]} (first run only: building them from the registries, minutes to build, all at once)"
for tool in "${tools[@]}"; do
  node dist/scripts/install-tools.js "$tool" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || exit 1; done
