/**
 * The backup agent's settings (docs/production.md, Backups and point-in-time restore): the built agent refuses a
 * setting out of range by its name, exit code 2, before it reaches the cluster or the store, as an operator's
 * mistake; it does not die on it later with a stack trace.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const AGENT_JS = path.resolve(__dirname, '../../dist/scripts/backups/agent.js');

function agent(settings: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-agent-settings-'));
  const env = {
    PATH: process.env.PATH,
    BACKUP_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    BACKUP_PGDATA: dir,
    BACKUP_WAL_SPOOL: path.join(dir, 'spool'),
    BACKUP_DIR: path.join(dir, 'store'),
    BACKUP_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    ...settings,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [AGENT_JS], { env, timeout: 20_000 }, (err, _stdout, stderr) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
    });
  });
}

describe('the backup agent refuses a setting out of range by name', () => {
  it('a metrics port above 65535: exit 2 naming BACKUP_METRICS_PORT, not a crash on listen', async () => {
    const refused = await agent({ BACKUP_METRICS_PORT: '70000' });
    expect(refused).toEqual({ code: 2, stderr: 'BACKUP_METRICS_PORT must be a port from 1 to 65535, not 70000\n' });
  });
});
