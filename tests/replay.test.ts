import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DeterminismViolationError } from '@temporalio/workflow';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { temporalDataConverter } from '../src/services/temporal';
import { TEST_JWT_SECRET } from './support/config';
import { HISTORIES_DIR } from './support/histories';
import { tracedWorkflowBundle } from './support/traced-workflow-bundle';

// The plain replay of every history with the built bundle is the replay gate of scripts/test.sh
// (`npm run replay`, as a deploy runs it); here the same histories replay with the tracing
// interceptors and with the payload codec on, and a changed workflow must fail.
const fixtures = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')) : [];

describe('replay of recorded workflow histories', () => {
  it('keeps a recorded history for every workflow type', () => {
    const recordedTypes = new Set(
      fixtures.map((file) => {
        const history = JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8'));
        return history.events[0].workflowExecutionStartedEventAttributes.workflowType.name as string;
      }),
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const workflowTypes = Object.keys(require('../src/workflows'));
    expect(workflowTypes.filter((type) => !recordedTypes.has(type))).toEqual([]);
  });

  const readHistory = (file: string) =>
    // Fixtures are the SDK's own History objects serialised as JSON (tests/support/histories.ts).
    temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));

  it('replays every history deterministically with the tracing interceptors in the sandbox', async () => {
    const histories = fixtures.map((file) => ({ workflowId: file, history: readHistory(file) }));
    const results = Worker.runReplayHistories(
      {
        // The workflows bundled with the interceptors, as a worker with tracing on runs them.
        workflowBundle: { codePath: await tracedWorkflowBundle() },
        sinks: {
          exporter: makeWorkflowExporter(new SimpleSpanProcessor(new InMemorySpanExporter()), new Resource({ 'service.name': 'replay' })),
        },
      },
      histories,
    );
    const replayed: string[] = [];
    const failures: string[] = [];
    for await (const result of results) {
      replayed.push(result.workflowId);
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed.sort()).toEqual([...fixtures].sort());
  });

  it('replays every history written in clear with the payload codec switched on (runs in flight when it is enabled)', async () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
      JWT_SECRET: TEST_JWT_SECRET,
      PAYLOAD_CODEC_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`,
      PAYLOAD_CODEC_ACTIVE_KEY: 'k1',
    });
    const histories = fixtures.map((file) => ({ workflowId: file, history: readHistory(file) }));
    const results = Worker.runReplayHistories(
      { workflowBundle: { codePath: process.env.INSURFLOW_TEST_WORKFLOW_BUNDLE! }, dataConverter: temporalDataConverter(config.temporal) },
      histories,
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of results) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(fixtures.length);
  });

  it('fails the replay when workflow code changes incompatibly', async () => {
    const file = fixtures.find((f) => f.startsWith('subscriptionWorkflow'));
    expect(file).toBeDefined();
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: require.resolve('./fixtures/changed-subscription-workflow') },
        readHistory(file!),
        'changed',
      ),
    ).rejects.toThrow(DeterminismViolationError);
  });
});
