/**
 * The retention run on the dev server with a real worker and PostgreSQL: rows on both sides of
 * every window are seeded, the run deletes exactly the expired ones, in batches smaller than the
 * rows, and a refresh token family still within its lifetime keeps detecting reuse. Then what
 * the configuration accepts.
 */
import crypto from 'node:crypto';
import { loadConfig } from '../../src/config';
import { RETENTION_WORKFLOW_TYPE, RetentionInput, RetentionWorkflow } from '../../src/contracts/retention';
import { QueryTypes } from 'sequelize';
import { RefreshToken, User } from '../../src/models';
import { TEST_JWT_SECRET } from '../support/config';
import { buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { testStackOfBlock } from '../support/stack';
import { resultOf } from '../support/waiting';

const HOUR_MS = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR_MS);
const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');

/** Three rows per statement: every table holds more expired rows than one batch. */
const INPUT: RetentionInput = { idempotencyRecordHours: 24, outboxDeliveredHours: 24, batchSize: 3, webhookEventDays: 45 };

describe('retention run', () => {
  const stack = testStackOfBlock({ worker: true });
  let user: User;
  beforeAll(async () => {
    user = await buildUser();
  });

  /** Inserts with the timestamps given: the models would stamp every row "now". */
  async function insert(table: string, rows: Array<Record<string, unknown>>): Promise<string[]> {
    const withIds = rows.map((row) => ({ id: crypto.randomUUID(), ...row }));
    await stack.db.sequelize.getQueryInterface().bulkInsert(table, withIds);
    return withIds.map((row) => row.id);
  }
  /** Rows that carry their own key (`state_hash`); answers it. */
  async function insertKeyed(table: string, rows: Array<{ state_hash: string } & Record<string, unknown>>): Promise<string[]> {
    await stack.db.sequelize.getQueryInterface().bulkInsert(table, rows);
    return rows.map((row) => row.state_hash);
  }

  const idempotencyRecord = (createdAt: Date, responseStatus: number | null) => ({
    scope: `user:${user.id}`,
    key: `key-${crypto.randomUUID()}`,
    method: 'POST',
    path: '/api/v1/claims',
    request_hash: sha256(crypto.randomUUID()),
    response_status: responseStatus,
    response_body: responseStatus === null ? null : JSON.stringify({ id: crypto.randomUUID(), large: 'x'.repeat(2000) }),
    created_at: createdAt,
    updated_at: createdAt,
  });
  const outboxMessage = (createdAt: Date, deliveredAt: Date | null) => ({
    kind: 'signal',
    workflow_id: `claim-${crypto.randomUUID()}`,
    payload: JSON.stringify({ signalName: 'x', args: [] }),
    delivered_at: deliveredAt,
    created_at: createdAt,
    updated_at: createdAt,
  });
  /** A family of tokens as rotation leaves it: all but the last used, all sharing the family's end. */
  function family(size: number, expiresAt: Date, revokedAt: Date | null = null) {
    const familyId = crypto.randomUUID();
    const raws = Array.from({ length: size }, () => crypto.randomBytes(32).toString('base64url'));
    const rows = raws.map((raw, i) => ({
      user_id: user.id,
      family_id: familyId,
      token_hash: sha256(raw),
      expires_at: expiresAt,
      used_at: i < size - 1 ? hoursAgo(size - i) : null,
      revoked_at: revokedAt,
      created_at: hoursAgo(size - i + 1),
      updated_at: hoursAgo(size - i + 1),
    }));
    return { familyId, raws, rows };
  }
  const resetToken = (expiresAt: Date, usedAt: Date | null) => ({
    user_id: user.id,
    token_hash: sha256(crypto.randomUUID()),
    expires_at: expiresAt,
    used_at: usedAt,
    created_at: hoursAgo(1),
  });
  const mfaChallenge = (expiresAt: Date, usedAt: Date | null) => ({
    user_id: user.id,
    purpose: 'sign_in',
    token_hash: sha256(crypto.randomUUID()),
    expires_at: expiresAt,
    used_at: usedAt,
    created_at: hoursAgo(1),
  });
  const ssoLogin = (expiresAt: Date) => ({
    state_hash: sha256(crypto.randomUUID()),
    tenant_id: user.tenantId,
    nonce: crypto.randomUUID(),
    code_verifier: crypto.randomBytes(32).toString('base64url'),
    expires_at: expiresAt,
    created_at: hoursAgo(1),
  });

  it('deletes exactly the rows past their window, table by table, and reports how many', async () => {
    await insert('idempotency_records', [
      ...Array.from({ length: 6 }, () => idempotencyRecord(hoursAgo(25), 201)),
      idempotencyRecord(hoursAgo(30), null),
    ]);
    const liveRecords = await insert('idempotency_records', [idempotencyRecord(hoursAgo(23), 201), idempotencyRecord(new Date(), null)]);

    await insert(
      'outbox_messages',
      Array.from({ length: 5 }, () => outboxMessage(hoursAgo(26), hoursAgo(25))),
    );
    const keptMessages = await insert('outbox_messages', [outboxMessage(hoursAgo(48), null), outboxMessage(hoursAgo(2), hoursAgo(1))]);

    const inTenDays = new Date(Date.now() + 240 * HOUR_MS);
    const expired = family(4, hoursAgo(1));
    const loggedOut = family(2, inTenDays, hoursAgo(2));
    // Logged out half an hour ago: its access tokens may still live, and its revocation is what refuses them.
    const justLoggedOut = family(2, inTenDays, hoursAgo(0.5));
    const live = family(4, inTenDays);
    // One token revoked, one not: a family goes only when no token of it can be presented.
    const halfRevoked = family(2, inTenDays);
    halfRevoked.rows[0].revoked_at = hoursAgo(1);
    await insert('refresh_tokens', [...expired.rows, ...loggedOut.rows, ...justLoggedOut.rows, ...live.rows, ...halfRevoked.rows]);

    await insert('password_reset_tokens', [
      resetToken(hoursAgo(2), null),
      resetToken(hoursAgo(3), null),
      resetToken(hoursAgo(1), hoursAgo(1.5)),
      resetToken(hoursAgo(4), hoursAgo(4.2)),
    ]);
    const liveResetTokens = await insert('password_reset_tokens', [
      resetToken(new Date(Date.now() + 0.4 * HOUR_MS), hoursAgo(0.05)),
      resetToken(new Date(Date.now() + 0.5 * HOUR_MS), null),
    ]);

    await insert('mfa_challenges', [
      ...Array.from({ length: 3 }, () => mfaChallenge(hoursAgo(1), null)),
      mfaChallenge(hoursAgo(2), hoursAgo(2.1)),
    ]);
    const liveChallenges = await insert('mfa_challenges', [mfaChallenge(new Date(Date.now() + 0.1 * HOUR_MS), null)]);
    await insertKeyed(
      'sso_logins',
      Array.from({ length: 4 }, () => ssoLogin(hoursAgo(1))),
    );
    const liveSsoLogins = await insertKeyed('sso_logins', [ssoLogin(new Date(Date.now() + 0.1 * HOUR_MS))]);

    // Webhook events past 45 days go with their deliveries, unless one is still pending.
    const [endpointId] = await insert('webhook_endpoints', [
      {
        tenant_id: user.tenantId,
        url: 'https://receiver.example.test/hook',
        event_types: JSON.stringify(['*']),
        secret_sealed: 'sealed',
        created_at: new Date(),
        updated_at: new Date(),
      },
    ]);
    const webhookEvent = (daysAgo: number, status: string) => {
      const eventId = crypto.randomUUID();
      const time = hoursAgo(daysAgo * 24);
      return {
        event: {
          id: eventId,
          tenant_id: user.tenantId,
          type: 'claim.stage_changed',
          subject: 'claims/x',
          data: '{}',
          time,
          dedupe_key: eventId,
          created_at: time,
        },
        delivery: { tenant_id: user.tenantId, endpoint_id: endpointId, event_id: eventId, status, created_at: time, updated_at: time },
      };
    };
    const oldEvents = [
      webhookEvent(46, 'delivered'),
      webhookEvent(50, 'failed'),
      webhookEvent(60, 'cancelled'),
      webhookEvent(90, 'delivered'),
    ];
    const keptEvents = [webhookEvent(50, 'pending'), webhookEvent(44, 'failed')];
    await insert(
      'webhook_events',
      [...oldEvents, ...keptEvents].map(({ event }) => event),
    );
    const keptDeliveries = await insert(
      'webhook_deliveries',
      [...oldEvents, ...keptEvents].map(({ delivery }) => delivery),
    );

    const handle = await stack.temporal.workflow.start<RetentionWorkflow>(RETENTION_WORKFLOW_TYPE, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: `retention-test-${crypto.randomUUID()}`,
      args: [INPUT],
    });
    expect(await resultOf(handle)).toEqual({
      idempotencyRecords: 7,
      outboxMessages: 5,
      refreshTokens: 6,
      passwordResetTokens: 4,
      mfaChallenges: 4,
      ssoLogins: 4,
      webhookEvents: 4,
    });
    await recordHistory(handle, 'retentionWorkflow');

    const ids = async (table: string) =>
      (await stack.db.sequelize.query<{ id: string }>(`SELECT id FROM ${table}`, { type: QueryTypes.SELECT })).map((row) => row.id).sort();
    expect(await ids('idempotency_records')).toEqual([...liveRecords].sort());
    expect(await ids('outbox_messages')).toEqual([...keptMessages].sort());
    expect(await ids('password_reset_tokens')).toEqual([...liveResetTokens].sort());
    expect(await ids('mfa_challenges')).toEqual(liveChallenges);
    const stateHashes = await stack.db.sequelize.query<{ state_hash: string }>('SELECT state_hash FROM sso_logins', {
      type: QueryTypes.SELECT,
    });
    expect(stateHashes.map((row) => row.state_hash)).toEqual(liveSsoLogins);
    expect(await ids('webhook_events')).toEqual(keptEvents.map(({ event }) => event.id).sort());
    expect(await ids('webhook_deliveries')).toEqual(keptDeliveries.slice(oldEvents.length).sort());
    const families = (await RefreshToken.findAll({ attributes: ['familyId'] })).map((token) => token.familyId);
    expect(families.sort()).toEqual(
      [...Array(4).fill(live.familyId), ...Array(2).fill(halfRevoked.familyId), ...Array(2).fill(justLoggedOut.familyId)].sort(),
    );

    // The kept family still catches a stolen, already rotated token: the whole family is revoked.
    const reused = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: live.raws[0] });
    expect(reused.status).toBe(401);
    expect(await RefreshToken.count({ where: { familyId: live.familyId, revokedAt: null } })).toBe(0);
  });

  it('keeps the families revoked since (reuse detection, a logout) for the hour their access tokens may live, then deletes them and nothing else', async () => {
    const runRetention = async () =>
      resultOf(
        await stack.temporal.workflow.start<RetentionWorkflow>(RETENTION_WORKFLOW_TYPE, {
          taskQueue: stack.config.temporal.taskQueue,
          workflowId: `retention-test-${crypto.randomUUID()}`,
          args: [INPUT],
        }),
      );
    const nothingElse = {
      idempotencyRecords: 0,
      outboxMessages: 0,
      passwordResetTokens: 0,
      mfaChallenges: 0,
      ssoLogins: 0,
      webhookEvents: 0,
    };
    expect(await runRetention()).toEqual({ ...nothingElse, refreshTokens: 0 });

    // An hour later (the revocations moved back): the access tokens of those logins have all expired.
    await stack.db.sequelize.query(`UPDATE refresh_tokens SET revoked_at = revoked_at - interval '1 hour' WHERE revoked_at IS NOT NULL`);
    const before = await RefreshToken.findAll({ attributes: ['id', 'familyId', 'revokedAt'] });
    const kept = before.filter((token) => before.some((other) => other.familyId === token.familyId && other.revokedAt === null));
    expect(await runRetention()).toEqual({ ...nothingElse, refreshTokens: before.length - kept.length });
    expect(before.length - kept.length).toBe(6);
    expect((await RefreshToken.findAll({ attributes: ['id'] })).map((token) => token.id).sort()).toEqual(
      kept.map((token) => token.id).sort(),
    );
  });
});

describe('retention configuration', () => {
  const base = { DATABASE_URL: 'postgres://127.0.0.1/insurflow', JWT_SECRET: TEST_JWT_SECRET };

  it('reads the interval and the windows, with an hourly run keeping a day by default', () => {
    expect(loadConfig(base).retention).toEqual({
      intervalMs: HOUR_MS,
      idempotencyRecordHours: 24,
      outboxDeliveredHours: 24,
      batchSize: 1000,
      webhookEventDays: 45,
    });
    expect(loadConfig({ ...base, RETENTION_SCHEDULE_INTERVAL: '30m' }).retention.intervalMs).toBe(HOUR_MS / 2);
    expect(loadConfig({ ...base, RETENTION_SCHEDULE_INTERVAL: '2d' }).retention.intervalMs).toBe(48 * HOUR_MS);
  });

  it('refuses an interval it cannot read and a key window no longer than a request may run', () => {
    expect(() => loadConfig({ ...base, RETENTION_SCHEDULE_INTERVAL: 'hourly' })).toThrow(/RETENTION_SCHEDULE_INTERVAL/);
    expect(() => loadConfig({ ...base, RETENTION_SCHEDULE_INTERVAL: '0h' })).toThrow(/RETENTION_SCHEDULE_INTERVAL/);
    expect(() => loadConfig({ ...base, RETENTION_IDEMPOTENCY_HOURS: '1', REQUEST_DEADLINE_MS: String(HOUR_MS) })).toThrow(
      /RETENTION_IDEMPOTENCY_HOURS/,
    );
    expect(() => loadConfig({ ...base, RETENTION_BATCH_SIZE: '0' })).toThrow(/RETENTION_BATCH_SIZE/);
    // Events must outlive the 30 days a replay since a time reaches back.
    expect(() => loadConfig({ ...base, RETENTION_WEBHOOK_EVENT_DAYS: '30' })).toThrow(/RETENTION_WEBHOOK_EVENT_DAYS/);
  });
});
