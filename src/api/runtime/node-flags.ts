/**
 * V8 flags the API process runs with, wherever it is started (scripts/start.ts, the benchmark's
 * processes; package.json's start:api, the Dockerfile and docker-compose.yml spell them out, and
 * tests/api/runtime/api-node-flags.test.ts keeps those copies equal to this list).
 *
 * A larger young generation: a request allocates a few hundred short-lived objects (Koa's context,
 * the middleware's closures and promises, the rows and their JSON), and with V8's default the
 * scavenger ran often enough to take a tenth of the API's CPU under list load. Measured in
 * docs/performance.md (Lists); the worker keeps V8's default, its memory is budgeted separately.
 */
export const API_NODE_FLAGS = ['--max-semi-space-size=32'];
