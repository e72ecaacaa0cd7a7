# One image for the API, the worker and one-shot migrations (choose with the command).
# Node 24 is the active LTS line (Node 20 reached its end of life in April 2026).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `install` with the lock, not `ci`: the lock lacks other platforms' optional binaries (@swc/core-*,
# @node-rs/*), and `npm ci` refuses such a lock outright (checked: "Missing: … from lock file").
RUN npm install --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY worker ./worker
COPY scripts ./scripts
COPY bench ./bench
# The benchmark builds on the tests' support code (SMTP sink, factories, waits); dist/tests is removed below.
COPY tests/support ./tests/support
# Development dependencies (test servers, mail sinks, embedded PostgreSQL) are pruned, and with them
# the compiled local tooling that needs them: the image runs only the API, the worker, migrations
# and the health check.
RUN npm run build && npm prune --omit=dev && rm -rf dist/bench dist/tests dist/scripts/local dist/scripts/start.js* dist/scripts/api-contract.js* dist/scripts/install-tools.js*
# The policy schedule reads the Noto Sans CJK faces in two weights (src/domain/subscriptions/schedule-writing.ts):
# the packages' seven other weights, about 150 MB, are left out of the image.
RUN find node_modules/@expo-google-fonts -mindepth 2 -maxdepth 2 -type d ! -name 400Regular ! -name 700Bold -exec rm -rf {} +

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Claim documents with DOCUMENTS_STORAGE=local (docker-compose.yml keeps them in MinIO). Created for the `node` user: Docker
# gives a new named volume the ownership of the directory it is mounted on, so uploads can write to it.
RUN mkdir -p /data/documents && chown node:node /data/documents
USER node
EXPOSE 3000
# The API's liveness (no curl in slim images: Node's fetch). docker-compose.yml gives the API a
# readiness check (/readyz) instead and the worker one of its own.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/scripts/healthcheck.js", "http://127.0.0.1:3000/healthz"]
CMD ["node", "--max-semi-space-size=32", "dist/src/api/server.js"]
