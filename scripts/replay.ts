/**
 * The replay gate of a deploy (docs/deploying.md): replays workflow histories with the workflow
 * bundle about to be deployed and exits 1 when any of them no longer replays, naming each one.
 * A deploy runs it before it retires the old workers, over the recorded fixtures and the histories
 * of the runs open in the cluster (`temporal workflow show --output json`).
 *
 *   node dist/scripts/replay.js [--bundle <workflow-bundle.js>] <history file or directory>...
 *
 * A history file is either a fixture of tests/fixtures/histories (the SDK's History object as JSON)
 * or a Temporal CLI export. Runs with the workers' environment: histories written with the payload
 * codec on are decoded with the workers' keys (src/config).
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { temporalDataConverter } from '../src/services/temporal';
import { DEFAULT_BUNDLE_PATH } from '../worker/worker';

interface Arguments {
  bundle: string;
  files: string[];
}

function parseArguments(argv: string[]): Arguments {
  let bundle = DEFAULT_BUNDLE_PATH;
  const inputs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--bundle') bundle = argv[++i];
    else inputs.push(argv[i]);
  }
  if (!bundle || !fs.existsSync(bundle)) throw new Error(`no workflow bundle at ${bundle} (npm run build writes dist/workflow-bundle.js)`);
  if (!inputs.length) throw new Error('usage: replay.js [--bundle <workflow-bundle.js>] <history file or directory>...');
  const files = inputs.flatMap((input) =>
    fs.statSync(input).isDirectory()
      ? fs
          .readdirSync(input)
          .filter((name) => name.endsWith('.json'))
          .map((name) => path.join(input, name))
      : [input],
  );
  return { bundle, files };
}

/** The CLI writes proto JSON (times as RFC 3339 strings); the fixtures are the SDK's objects (times as seconds and nanos). */
function readHistory(file: string): History {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(json?.events) || !json.events.length) throw new Error(`${file} holds no workflow history`);
  return typeof json.events[0].eventTime === 'string' ? historyFromJSON(json) : temporal.api.history.v1.History.fromObject(json);
}

async function main(): Promise<void> {
  const { bundle, files } = parseArguments(process.argv.slice(2));
  const config = loadConfig();
  // The replay workers' start and stop lines would bury the verdict.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const results = Worker.runReplayHistories(
    { workflowBundle: { codePath: bundle }, dataConverter: temporalDataConverter(config.temporal) },
    files.map((file) => ({ workflowId: file, history: readHistory(file) })),
  );
  const failures: string[] = [];
  for await (const result of results) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  process.stdout.write(`replayed ${files.length} histories with ${bundle}: ${failures.length} failed\n`);
  for (const failure of failures) process.stdout.write(`FAILED ${failure}\n`);
  if (failures.length) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
