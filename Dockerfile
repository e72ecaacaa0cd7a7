# One image for the API, the worker and one-shot migrations (choose with the command).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY worker ./worker
COPY scripts ./scripts
COPY bench ./bench
# The benchmark builds on the tests' support code (SMTP sink, factories, waits); dist/tests is removed below.
COPY tests/support ./tests/support
# Development dependencies (test servers, mail sinks, embedded PostgreSQL) are pruned, and with them
# the compiled local tooling that needs them: the image runs only the API, the worker and migrations.
RUN npm run build && npm prune --omit=dev && rm -rf dist/bench dist/tests dist/scripts/local dist/scripts/start.js* dist/scripts/api-contract.js* dist/scripts/install-tools.js*

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 3000
CMD ["node", "--max-semi-space-size=32", "dist/src/api/server.js"]
