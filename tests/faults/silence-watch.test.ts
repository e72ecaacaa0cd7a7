/**
 * The silence watch (src/shared/silence-watch.ts) and PostgreSQL's statements under it
 * (src/models/database.ts), against a paused proxy in front of the tests' server (what clients see
 * of a SIGSTOPped PostgreSQL). A statement neither it nor a probe is answered for is cut; a COMMIT
 * is not, since the server may still carry it out when it runs again (a 503 for work done would let
 * a retry with the same Idempotency-Key do it twice); a probe that failed only because this
 * process was held up is no verdict; and a server slow to open connections, or whose kept probe
 * connection was dropped on the way, is not silent.
 */
import crypto from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize, PostgresNotAnswering, SILENCE_PROBE_APPLICATION } from '../../src/models/database';
import { SILENCE_PROBE_MS, silenceWatch } from '../../src/shared/silence-watch';
import { PausableProxy, startPausableProxy } from '../support/pausable-proxy';
import { startTestStack, TestStack } from '../support/stack';
import { eventually } from '../support/waiting';

/** Sequelize wraps a driver's error: the cut is the original's class. */
const wasCut = (err: unknown) => {
  const { original } = err as { original?: unknown };
  return err instanceof PostgresNotAnswering || original instanceof PostgresNotAnswering;
};

describe('a silence watch', () => {
  it('takes a failed probe that ended well after its limit (this process held up) as no verdict, and cuts on the next one', async () => {
    const probes: number[] = [];
    // The first probe "fails" 400 ms after its limit, as one whose timer fired late would; the second fails at once.
    const answers = () => {
      probes.push(Date.now());
      const late = probes.length === 1;
      return new Promise<boolean>((resolve) => setTimeout(() => resolve(false), late ? SILENCE_PROBE_MS + 400 : 0));
    };
    let cutAt: number | undefined;
    const started = Date.now();
    silenceWatch(answers).watch(() => {
      cutAt = Date.now();
    });
    await eventually(
      async () => cutAt,
      (at) => at !== undefined,
      'the call cut',
      15_000,
    );
    expect(probes).toHaveLength(2);
    expect(cutAt! - started).toBeGreaterThanOrEqual(2 * SILENCE_PROBE_MS);
  });
});

describe('PostgreSQL statements when the server stops answering', () => {
  let stack: TestStack;
  let proxy: PausableProxy;
  let sequelize: Sequelize;
  const table = `silence_watch_${crypto.randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    stack = await startTestStack();
    const url = new URL(stack.db.url);
    proxy = await startPausableProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    // The production deadlines: a statement waits 10 s for the server, a connection 2 s.
    sequelize = createSequelize(url.toString());
    await sequelize.query(`CREATE TABLE ${table} (id uuid PRIMARY KEY)`);
  });

  afterAll(async () => {
    proxy?.resume();
    await sequelize?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await sequelize?.close();
    await proxy?.close();
    await stack?.close();
  });

  afterEach(() => {
    proxy.holdNewConnections(0);
    proxy.resume();
  });

  it('does not cut the slow statement of a busy server that is slow to open new connections but answers those open', async () => {
    await sequelize.query('SELECT 1');
    // A busy host's PostgreSQL takes more than a probe's limit to start a backend for a new connection.
    proxy.holdNewConnections(1.5 * SILENCE_PROBE_MS);
    const started = Date.now();
    const [rows] = await sequelize.query('SELECT pg_sleep(2.5) AS slept, 42 AS answer');
    expect(rows).toEqual([{ slept: '', answer: 42 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
  });

  it('does not cut the slow statement of a live server whose kept probe connection was dropped on the way without notice', async () => {
    await sequelize.query('SELECT 1');
    // The probe's kept connection, as the server sees it, is dropped by something between (an idle timeout).
    await eventually(
      async () => {
        const probes = await stack.db.sequelize.query<{ port: number }>(
          'SELECT client_port AS port FROM pg_stat_activity WHERE application_name = :application',
          { type: QueryTypes.SELECT, replacements: { application: SILENCE_PROBE_APPLICATION } },
        );
        return probes.some(({ port }) => proxy.dropSilently(port));
      },
      (dropped) => dropped,
      'the kept probe connection dropped',
    );
    const [rows] = await sequelize.query('SELECT pg_sleep(2.5) AS slept, 42 AS answer');
    expect(rows).toEqual([{ slept: '', answer: 42 }]);
  });

  it('cuts a statement the server answers neither it nor a probe for, long before its deadline', async () => {
    const open = await sequelize.transaction();
    await sequelize.query('SELECT 1', { transaction: open });
    proxy.pause();
    const started = Date.now();
    const error = await sequelize.query('SELECT 2', { transaction: open }).catch((err: unknown) => err);
    expect(wasCut(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(6_000);
    proxy.resume();
    await open.rollback().catch(() => undefined);
  });

  it('never cuts a COMMIT: sent as the server stops answering, it completes once the server answers again, its row written once', async () => {
    const id = crypto.randomUUID();
    const writing = await sequelize.transaction();
    const other = await sequelize.transaction();
    await sequelize.query(`INSERT INTO ${table} (id) VALUES ($1)`, { bind: [id], transaction: writing });
    await sequelize.query('SELECT 1', { transaction: other });
    proxy.pause();
    let commitSettled = false;
    const committing = writing.commit().finally(() => {
      commitSettled = true;
    });
    // Another statement sent after it, watched, is cut: by then a watched COMMIT would have been cut too.
    const cut = await sequelize.query('SELECT 2', { transaction: other }).catch((err: unknown) => err);
    expect(wasCut(cut)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(commitSettled).toBe(false);

    proxy.resume();
    await expect(committing).resolves.toBeUndefined();
    const [rows] = await sequelize.query(`SELECT id FROM ${table} WHERE id = $1`, { bind: [id] });
    expect(rows).toEqual([{ id }]);
    await other.rollback().catch(() => undefined);
  });
});
