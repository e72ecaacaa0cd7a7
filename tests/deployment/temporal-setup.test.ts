/**
 * docker/temporal-setup-namespace.sh, exactly as the compose job runs it, against a real Temporal
 * server (the CLI's dev server): it creates the namespace, registers every search attribute the
 * workflows upsert (src/shared/search-attributes.ts) with its type, can run again on every start,
 * and fails when a search attribute exists with another type.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { freePort } from '../../scripts/local/ports';
import { DevServer, startTemporalDevServer } from '../../scripts/local/temporal-dev-server';
import { resolveTemporalCli } from '../../scripts/local/tools';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';

const SCRIPT = path.join(__dirname, '..', '..', 'docker', 'temporal-setup-namespace.sh');
const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const TYPES: Record<string, number> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

describe('docker/temporal-setup-namespace.sh', () => {
  let cli: string;
  let server: DevServer;
  let connection: Connection;

  beforeAll(async () => {
    cli = resolveTemporalCli()!;
    expect(cli).toBeTruthy();
    server = await startTemporalDevServer({ cliPath: cli, port: await freePort(), uiPort: await freePort() });
    connection = await Connection.connect({ address: server.address });
  }, 120_000);
  afterAll(async () => {
    await connection?.close();
    await server?.stop();
  });

  async function runScript(namespace: string): Promise<{ code: number; output: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)('sh', [SCRIPT], {
        // HOME: the CLI looks for its config there; an empty one keeps a user's profiles out.
        env: {
          PATH: process.env.PATH,
          HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-cli-home-')),
          TEMPORAL_ADDRESS: server.address,
          TEMPORAL_NAMESPACE: namespace,
          TEMPORAL_CLI: cli,
          TEMPORAL_WAIT_SECONDS: '10',
        },
      });
      return { code: 0, output: stdout + stderr };
    } catch (err) {
      const failure = err as { code: number; stdout: string; stderr: string };
      return { code: failure.code, output: failure.stdout + failure.stderr };
    }
  }

  const customAttributes = async (namespace: string) =>
    (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes as Record<string, number>;

  it('creates the namespace and every search attribute the workflows upsert, and can run again', async () => {
    const first = await runScript('insurflow-setup');
    expect(first).toEqual({ code: 0, output: expect.stringContaining('Search attributes have been added') });
    const registered = await customAttributes('insurflow-setup');
    for (const key of ALL_SEARCH_ATTRIBUTES) expect([key.name, registered[key.name]]).toEqual([key.name, TYPES[key.type]]);

    const again = await runScript('insurflow-setup');
    expect(again).toEqual({ code: 0, output: expect.stringContaining('namespace insurflow-setup exists') });
    expect(await customAttributes('insurflow-setup')).toEqual(registered);
  });

  it('fails when a search attribute exists with another type', async () => {
    await connection.workflowService.registerNamespace({
      namespace: 'insurflow-conflict',
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    await connection.operatorService.addSearchAttributes({
      namespace: 'insurflow-conflict',
      searchAttributes: { TenantId: IndexedValueType.INDEXED_VALUE_TYPE_TEXT },
    });
    const result = await runScript('insurflow-conflict');
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('TenantId already exists and has different type');
  }, 60_000);
});
