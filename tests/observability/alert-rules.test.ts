/**
 * docker/alerts.yml as Prometheus itself reads it: `promtool check rules` accepts it, `promtool
 * test rules` runs docker/alerts.test.yml (one test per rule, each firing and not firing), every
 * metric a rule reads is one the API, the worker or the backup agent really exports (the compose Prometheus loading
 * the file is checked in tests/deployment/compose.test.ts). promtool comes from the tool cache (built from the Go module proxy).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { backupRegistry } from '../../scripts/backups/metrics';
import { resolvePromtool } from '../../scripts/local/promtool';
// The worker's reconciler activities, loaded as the worker loads them at start.
import '../../src/activities/reconciler';
import { RUN_OWNER_ENTITIES } from '../../src/contracts/reconciler';
import { apiBusinessRegistry, workerBusinessRegistry } from '../../src/observability/business-metrics';

const DOCKER = path.join(__dirname, '..', '..', 'docker');
const RULES = path.join(DOCKER, 'alerts.yml');
const RULE_TESTS = path.join(DOCKER, 'alerts.test.yml');
const read = (file: string) => fs.readFileSync(file, 'utf8');
const run = promisify(execFile);

let promtool: string;
beforeAll(() => {
  promtool = resolvePromtool();
}, 1_800_000);

async function promtoolSays(...args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(promtool, args, { cwd: DOCKER });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const failed = err as { stdout: string; stderr: string };
    return { ok: false, output: failed.stdout + failed.stderr };
  }
}

const alertNames = () => [...read(RULES).matchAll(/^ +- alert: (\w+)$/gm)].map((m) => m[1]);

it('promtool check rules accepts every rule', async () => {
  const checked = await promtoolSays('check', 'rules', RULES);
  expect(checked).toEqual({ ok: true, output: expect.stringContaining(`SUCCESS: ${alertNames().length} rules found`) });
  expect(alertNames()).toEqual([
    'InsurflowActivityIncidents',
    'InsurflowClaimSlaBreaches',
    'InsurflowLevel2Escalations',
    'InsurflowOutboxBacklog',
    'InsurflowWebhookFailures',
    'InsurflowRunDrift',
    'InsurflowRunsWithoutRowEnded',
    'InsurflowPremiumRefundStuck',
    'InsurflowLedgerDifferences',
    'InsurflowTemporalSlow',
    'InsurflowPaymentProviderCredentialsRefused',
    'InsurflowPaymentProviderUnavailable',
    'InsurflowBackupArchiveBehind',
    'InsurflowBaseBackupFailed',
    'InsurflowBaseBackupStale',
  ]);
});

it('promtool test rules passes one test per rule, each seeing its alert both quiet and firing', async () => {
  const tested = await promtoolSays('test', 'rules', RULE_TESTS);
  expect(tested).toEqual({ ok: true, output: expect.stringContaining('SUCCESS') });
  const tests = read(RULE_TESTS)
    .split(/^ {2}- name: /m)
    .slice(1);
  expect(tests).toHaveLength(alertNames().length);
  for (const [i, name] of alertNames().entries()) {
    const evaluations = [...tests[i].matchAll(/alertname: (\w+)\n\s+exp_alerts:( \[\])?/g)];
    expect(evaluations.every((e) => e[1] === name)).toBe(true);
    // One evaluation expects nothing, another expects the alert.
    expect(new Set(evaluations.map((e) => e[2] === undefined))).toEqual(new Set([true, false]));
  }
});

it('a wrong expectation fails promtool test rules (the tests can fail)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-'));
  fs.copyFileSync(RULES, path.join(dir, 'alerts.yml'));
  fs.writeFileSync(
    path.join(dir, 'wrong.test.yml'),
    read(RULE_TESTS).replace('summary: "1 sendEmail activities keep failing"', 'summary: "2"'),
  );
  const tested = await promtoolSays('test', 'rules', path.join(dir, 'wrong.test.yml'));
  fs.rmSync(dir, { recursive: true, force: true });
  expect(tested.ok).toBe(false);
  expect(tested.output).toContain('InsurflowActivityIncidents');
});

it("serves the reconciler's runs-ended counter at 0 per entity before any count, so the alert's increase() sees the first", async () => {
  const served = await workerBusinessRegistry.getSingleMetricAsString('insurflow_reconciler_runs_without_row_ended_total');
  for (const entity of RUN_OWNER_ENTITIES)
    expect(served).toContain(`insurflow_reconciler_runs_without_row_ended_total{entity="${entity}"} 0`);
});

it('reads only metrics the API, the worker or the backup agent exports', async () => {
  const registries = [apiBusinessRegistry, workerBusinessRegistry, backupRegistry];
  const exported = new Set((await Promise.all(registries.map((r) => r.getMetricsAsJSON()))).flat().map((m) => m.name));
  // A histogram is registered by its name and read by its series: `<name>_bucket`, `_sum`, `_count`.
  const read_ = [...read(RULES).matchAll(/\binsurflow_\w+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
  expect(read_.length).toBeGreaterThanOrEqual(alertNames().length);
  expect(read_.filter((name) => !exported.has(name))).toEqual([]);
});
