/**
 * Authentication events on the record, through the real API and PostgreSQL: each sign-in
 * outcome (with its reason category), sign-out, refresh, refresh-token reuse, password change and
 * reset, e-mail change and API keys are in the audit trail with the client address, user agent and
 * request ID; no row holds a password that was typed; tenant admins read their tenant's, platform
 * admins the platform's, other roles are refused; and a storm of failed sign-ins is a handful of
 * counted rows, not a row per attempt.
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { AuditEvent, Tenant, User } from '../../src/models';
import { bearer, buildTenant, buildUser, TEST_PASSWORD } from '../support/factories';
import { mailedToken } from '../support/mailed-tokens';
import { startTestStack, TestStack } from '../support/stack';
import { statementsOf } from '../support/statements';
import { eventually } from '../support/waiting';

const RESET_SUBJECT = 'Reset your Insurflow password';
const EMAIL_CONFIRM_SUBJECT = 'Confirm your new Insurflow e-mail address';
/** Requests per client address and minute on the auth routes: the storm meets it. */
const AUTH_PER_MINUTE = 60;
const STORM_ATTEMPTS = 300;
/** How an address no account has is named: the SHA-256 of the address as typed, trimmed and lower-cased. */
const emailHash = (email: string) => crypto.createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

interface EventBody {
  id: string;
  tenantId: string | null;
  actor: { type: string; id: string | null };
  action: string;
  entityType: string;
  entityId: string;
  occurredAt: string;
  requestId: string | null;
  category: string;
  client: { address: string | null; userAgent: string | null };
  reason: string | null;
  occurrences: number;
  lastOccurredAt: string | null;
}

describe('authentication events: GET /audit-events?category=authentication', () => {
  let stack: TestStack;
  let tenant: Tenant;
  let admin: User;
  let officer: User;
  let otherAdmin: User;
  let platformAdmin: User;

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        // The tests name their client address in X-Forwarded-For, as a proxy would.
        TRUST_PROXY_HOPS: '1',
        RATE_LIMIT_AUTH_PER_MINUTE: String(AUTH_PER_MINUTE),
      },
    });
    tenant = await buildTenant();
    [admin, officer, otherAdmin, platformAdmin] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: tenant.id, role: 'compliance_officer' }),
      buildUser({ role: 'tenant_admin' }),
      buildUser({ role: 'platform_admin' }),
    ]);
  });
  afterAll(() => stack?.close());

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  /** A client: its address (X-Forwarded-For) and user agent. */
  const client = (address: string, userAgent = `probe/${address}`) => ({ 'X-Forwarded-For': address, 'User-Agent': userAgent });
  const login = (from: Record<string, string>, email: string, password: string) =>
    stack.api.post('/api/v1/auth/login').set(from).send({ email, password });
  const authEvents = async (reader: User, query = '') =>
    (await stack.api.get(`/api/v1/audit-events?category=authentication&pageSize=100&${query}`).set(as(reader)).expect(200)).body
      .items as EventBody[];
  /** The events of `entityId`, once `done` holds of them (failures are written within a second). */
  const eventsOf = (reader: User, entityId: string, done: (events: EventBody[]) => boolean) =>
    eventually(() => authEvents(reader, `entityId=${entityId}`), done, `authentication events of ${entityId}`);

  it('records each sign-in outcome with its reason, client address, user agent and request ID, and no password', async () => {
    const alice = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const inactive = await buildUser({ tenantId: tenant.id, role: 'adjuster', isActive: false });
    const from = client('203.0.113.10', 'Mozilla/5.0 (sign-in test)');
    const wrongPassword = 'Wrong-Guess-91827';
    const unknownEmail = `nobody-${crypto.randomUUID()}@example.test`;

    const signedIn = await login(from, alice.email, TEST_PASSWORD).expect(200);
    const wrong = await login(from, alice.email, wrongPassword).expect(401);
    await login(from, inactive.email, TEST_PASSWORD).expect(401);
    await login(from, unknownEmail, wrongPassword).expect(401);

    const aliceEvents = await eventsOf(admin, alice.id, (events) => events.length === 2);
    expect(aliceEvents).toEqual([
      expect.objectContaining({
        action: 'auth.sign_in',
        tenantId: tenant.id,
        actor: { type: 'user', id: alice.id },
        entityType: 'user',
        category: 'authentication',
        client: { address: '203.0.113.10', userAgent: 'Mozilla/5.0 (sign-in test)' },
        requestId: signedIn.headers['x-request-id'],
        reason: null,
        occurrences: 1,
      }),
      expect.objectContaining({
        action: 'auth.sign_in_failed',
        actor: { type: 'user', id: null },
        client: { address: '203.0.113.10', userAgent: 'Mozilla/5.0 (sign-in test)' },
        requestId: wrong.headers['x-request-id'],
        reason: 'wrong_password',
        occurrences: 1,
      }),
    ]);
    const [inactiveFailure] = await eventsOf(admin, inactive.id, (events) => events.length === 1);
    expect(inactiveFailure).toMatchObject({ action: 'auth.sign_in_failed', reason: 'inactive', client: { address: '203.0.113.10' } });

    // An address no account has: the platform's event, naming the address only by its hash.
    const [unknown] = await eventsOf(platformAdmin, emailHash(unknownEmail), (events) => events.length === 1);
    expect(unknown).toMatchObject({
      tenantId: null,
      entityType: 'account',
      reason: 'unknown_account',
      client: { address: '203.0.113.10' },
    });
    expect(await authEvents(admin, `entityId=${emailHash(unknownEmail)}`)).toEqual([]);

    const everyRow = JSON.stringify(await AuditEvent.findAll());
    for (const typed of [wrongPassword, TEST_PASSWORD, unknownEmail]) expect(everyRow).not.toContain(typed);
  });

  it('records sign-out, refresh, refresh-token reuse, password change and reset and e-mail change with their client', async () => {
    const bob = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const from = client('203.0.113.20', 'Bob-Browser/2');
    const first = (await login(from, bob.email, TEST_PASSWORD).expect(200)).body.tokens;
    const refreshed = (await stack.api.post('/api/v1/auth/refresh').set(from).send({ refreshToken: first.refreshToken }).expect(200)).body;
    // The used token again: every session of that login ends, and the reuse is on the record.
    await stack.api.post('/api/v1/auth/refresh').set(from).send({ refreshToken: first.refreshToken }).expect(401);

    const second = (await login(from, bob.email, TEST_PASSWORD).expect(200)).body.tokens;
    const asBob = { ...from, Authorization: `Bearer ${second.accessToken}` };
    const newPassword = 'Changed-Pass-5521';
    const changed = await stack.api
      .post('/api/v1/auth/password')
      .set(asBob)
      .send({ currentPassword: TEST_PASSWORD, newPassword })
      .expect(200);
    const asBobNow = { ...from, Authorization: `Bearer ${changed.body.accessToken}` };
    await stack.api
      .post('/api/v1/auth/email')
      .set(asBobNow)
      .send({ newEmail: `bob-${bob.id}@example.test`, currentPassword: newPassword })
      .expect(202);
    const emailToken = await mailedToken(stack.smtp, `bob-${bob.id}@example.test`, EMAIL_CONFIRM_SUBJECT);
    const moved = await stack.api.post('/api/v1/auth/email/confirm').set(asBobNow).send({ token: emailToken }).expect(200);
    const asBobMoved = { ...from, Authorization: `Bearer ${moved.body.accessToken}` };
    await stack.api.post('/api/v1/auth/logout').set(asBobMoved).send({ refreshToken: second.refreshToken }).expect(204);

    await stack.api
      .post('/api/v1/auth/password-reset')
      .set(from)
      .send({ email: `bob-${bob.id}@example.test` })
      .expect(202);
    const resetToken = await mailedToken(stack.smtp, `bob-${bob.id}@example.test`, RESET_SUBJECT);
    const resetPassword = 'Reset-Pass-7730';
    await stack.api
      .post('/api/v1/auth/password-reset/confirm')
      .set(from)
      .send({ token: resetToken, newPassword: resetPassword })
      .expect(204);
    expect(refreshed.accessToken).toEqual(expect.any(String));

    const expected = [
      'auth.sign_in',
      'auth.refresh',
      'auth.refresh_reuse',
      'auth.sign_in',
      'user.password_change',
      'user.email_change',
      'auth.sign_out',
      'user.password_reset',
    ];
    const events = await eventsOf(admin, bob.id, (found) => found.length === expected.length);
    expect(events.map((e) => e.action)).toEqual(expected);
    for (const event of events) {
      expect(event).toMatchObject({
        tenantId: tenant.id,
        category: 'authentication',
        client: { address: '203.0.113.20', userAgent: 'Bob-Browser/2' },
      });
      expect(event.requestId).toEqual(expect.any(String));
    }
    const everyRow = JSON.stringify(await AuditEvent.findAll({ where: { entityId: bob.id } }));
    for (const typed of [TEST_PASSWORD, newPassword, resetPassword, first.refreshToken, emailToken, resetToken]) {
      expect(everyRow).not.toContain(typed);
    }
  });

  it('records an API key created, its first use each day (once, however often it is used) and its revocation', async () => {
    const from = client('203.0.113.30', 'Key-Admin/1');
    const created = await stack.api
      .post('/api/v1/api-keys')
      .set({ ...from, ...as(admin) })
      .send({
        name: 'Warehouse',
        role: 'claims_manager',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        currentPassword: TEST_PASSWORD,
      })
      .expect(201);
    const { id, key } = created.body as { id: string; key: string };
    const machine = client('198.51.100.40', 'warehouse-loader/3');
    for (let i = 0; i < 3; i++)
      await stack.api
        .get('/api/v1/claims')
        .set({ ...machine, Authorization: `Bearer ${key}` })
        .expect(200);
    await stack.api
      .delete(`/api/v1/api-keys/${id}`)
      .set({ ...from, ...as(admin) })
      .expect(200);

    const events = await authEvents(admin, `entityId=${id}`);
    expect(events).toEqual([
      expect.objectContaining({
        action: 'api_key.create',
        actor: { type: 'user', id: admin.id },
        client: { address: '203.0.113.30', userAgent: 'Key-Admin/1' },
      }),
      expect.objectContaining({
        action: 'api_key.daily_first_use',
        actor: { type: 'api_key', id, createdBy: admin.id },
        client: { address: '198.51.100.40', userAgent: 'warehouse-loader/3' },
        requestId: expect.any(String),
      }),
      expect.objectContaining({ action: 'api_key.revoke', client: { address: '203.0.113.30', userAgent: 'Key-Admin/1' } }),
    ]);
    const secret = key.slice('ifk_'.length + created.body.prefix.length + 1);
    expect(JSON.stringify(await AuditEvent.findAll({ where: { entityId: id } }))).not.toContain(secret);
  });

  it('shows them to tenant admins for their tenant and platform admins for the platform; other roles are refused', async () => {
    const carol = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    await login(client('203.0.113.50'), carol.email, TEST_PASSWORD).expect(200);
    await eventsOf(admin, carol.id, (events) => events.length === 1);

    // Another tenant's admin and the platform's: nothing of this tenant's.
    expect(await authEvents(otherAdmin, `entityId=${carol.id}`)).toEqual([]);
    expect(await authEvents(platformAdmin, `entityId=${carol.id}`)).toEqual([]);
    // A compliance officer reads the tenant's changes, never its authentication events.
    const refused = await stack.api.get('/api/v1/audit-events?category=authentication').set(as(officer)).expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    const officerView = (await stack.api.get(`/api/v1/audit-events?entityId=${carol.id}`).set(as(officer)).expect(200)).body.items;
    expect(officerView).toEqual([]);
    await stack.api.get('/api/v1/audit-events?category=authentication').set(as(carol)).expect(403);
    await stack.api.get('/api/v1/audit-events?category=sign_ins').set(as(admin)).expect(400);

    const query = `query($entityId: String) { auditEvents(category: "authentication", entityId: $entityId) {
      edges { node { action category clientAddress userAgent reason occurrences } } } }`;
    const graphql = (reader: User) =>
      stack.api
        .post('/api/graphql')
        .set('Accept', 'application/graphql-response+json')
        .set(as(reader))
        .send({ query, variables: { entityId: carol.id } });
    const adminAnswer = JSON.parse((await graphql(admin)).text);
    expect(adminAnswer.data.auditEvents.edges).toEqual([
      {
        node: {
          action: 'auth.sign_in',
          category: 'authentication',
          clientAddress: '203.0.113.50',
          userAgent: 'probe/203.0.113.50',
          reason: null,
          occurrences: 1,
        },
      },
    ]);
    const officerAnswer = JSON.parse((await graphql(officer)).text);
    expect(officerAnswer.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it(`counts a storm of ${STORM_ATTEMPTS} wrong passwords, mostly refused with 429, in a handful of rows`, async () => {
    const target = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const from = client('192.0.2.66', 'stuffer/9');
    const statuses: number[] = [];
    // The account's rows (wrong passwords, attempts the account's delay refused) and the address's (refused by its limit).
    const read = async () => [
      ...(await authEvents(admin, `entityId=${target.id}`)),
      ...(await authEvents(platformAdmin, 'entityId=192.0.2.66')),
    ];
    const started = Date.now();
    const { result: rows, statements } = await statementsOf(AuditEvent.sequelize!, async () => {
      // In bursts of 10 at once, as a guesser would send them.
      for (let sent = 0; sent < STORM_ATTEMPTS; sent += 10) {
        const burst = await Promise.all(Array.from({ length: 10 }, () => login(from, target.email, 'Not-The-Password-1')));
        statuses.push(...burst.map((res) => res.status));
      }
      return eventually(read, (found) => sum(found) === STORM_ATTEMPTS, 'every attempt of the storm counted');
    });
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    const atAccount = rows.filter((row) => row.entityId === target.id);
    expect(sum(atAccount)).toBeGreaterThanOrEqual(AUTH_PER_MINUTE);
    // One row per kind and minute (a storm may straddle two): wrong passwords and delayed attempts
    // at the account, refusals of the address.
    expect(new Set(rows.map((e) => `${e.entityType}:${e.reason}`))).toEqual(
      new Set(['user:wrong_password', 'user:rate_limited', 'client:rate_limited']),
    );
    expect(rows.length).toBeLessThanOrEqual(6);
    expect(statuses.filter((status) => status === 401).length).toBe(sumOf(atAccount, 'wrong_password'));
    for (const row of rows) {
      expect(row).toMatchObject({ action: 'auth.sign_in_failed', client: { address: '192.0.2.66', userAgent: 'stuffer/9' } });
      expect(new Date(row.lastOccurredAt!).getTime()).toBeGreaterThanOrEqual(new Date(row.occurredAt).getTime());
    }
    // Writes, not only rows, are bounded: each row's count is written at most once a second.
    const writes = statements.filter((sql) => /INSERT INTO "?audit_events"?/.test(sql));
    expect(writes.length).toBeLessThanOrEqual(3 * (seconds + 1));
    expect(writes.length).toBeLessThan(STORM_ATTEMPTS);
  });

  it('lets a counted row only count up: every other change to an event is refused by the database', async () => {
    const dave = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    await login(client('203.0.113.70'), dave.email, 'Wrong-Once-1').expect(401);
    const [counted] = await eventsOf(admin, dave.id, (events) => events.length === 1);
    const update = (set: string) =>
      stack.db.sequelize.query(`UPDATE audit_events SET ${set} WHERE id = :id`, {
        replacements: { id: counted.id },
        type: QueryTypes.UPDATE,
      });
    await expect(update(`reason = 'unknown_account'`)).rejects.toThrow(/append-only/);
    await expect(update('occurrences = 0')).rejects.toThrow(/append-only/);
    await expect(update(`tenant_id = '${otherAdmin.tenantId}'`)).rejects.toThrow(/append-only/);
    await expect(update(`occurrences = occurrences + 1, client_address = '10.0.0.1'`)).rejects.toThrow(/append-only/);
    await update('occurrences = occurrences + 1, last_occurred_at = clock_timestamp()');
    // An event that is not a counted row stays as it was written.
    const signIn = (await AuditEvent.findOne({ where: { action: 'auth.sign_in' } }))!;
    await expect(
      stack.db.sequelize.query('UPDATE audit_events SET occurrences = 2, last_occurred_at = now() WHERE id = :id', {
        replacements: { id: signIn.id },
      }),
    ).rejects.toThrow(/append-only/);
  });
});

const sum = (events: EventBody[]) => events.reduce((total, event) => total + event.occurrences, 0);
const sumOf = (events: EventBody[], reason: string) => sum(events.filter((event) => event.reason === reason));
