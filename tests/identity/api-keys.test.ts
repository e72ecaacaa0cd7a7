/**
 * API keys through the real API and PostgreSQL: a tenant admin creates a key (answered once,
 * stored as a hash), a machine uses it on REST and GraphQL as a service principal with the key's
 * role, the audit trail names the key and who created it, identity routes refuse it whatever its
 * role, another tenant's rows are 404, a revoked key is refused at once here and within 10 s on a
 * second API process (the built server), and a wrong key costs what a wrong password does.
 */
import crypto from 'node:crypto';
import { ApiKey, AuditEvent, Subscription, Tenant, User } from '../../src/models';
import { AUTHORITY_TTL_MS } from '../../src/services/authority';
import { bearer, buildPlan, buildTenant, buildUser, signedInBearer, TEST_PASSWORD } from '../support/factories';
import { startOtherApi, type OtherApi } from '../support/other-api';
import { startTestStack, TestStack } from '../support/stack';
import { statementsOf } from '../support/statements';
import { eventually } from '../support/waiting';

const DAY_MS = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();
/** Per key and minute: a few requests more than the rest of the file sends with any one key. */
const PER_KEY_PER_MINUTE = 40;
/** Refused keys one address may send before it is delayed: more than the file's other refusals, so only the last test meets it. */
const FAILURES_PER_SOURCE = 80;
const TIMING_SAMPLES = 21;

describe('API keys: /api-keys and Authorization: Bearer ifk_…', () => {
  let stack: TestStack;
  let tenant: Tenant;
  let admin: User;
  let officer: User;
  let otherOfficer: User;

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        RATE_LIMIT_API_KEY_PER_MINUTE: String(PER_KEY_PER_MINUTE),
        RATE_LIMIT_API_KEY_FAILURES_PER_SOURCE: String(FAILURES_PER_SOURCE),
      },
    });
    tenant = await buildTenant({ name: 'Acme Insurance' });
    const other = await buildTenant({ name: 'Other Mutual' });
    admin = await buildUser({ role: 'tenant_admin', tenantId: tenant.id });
    officer = await buildUser({ role: 'compliance_officer', tenantId: tenant.id });
    otherOfficer = await buildUser({ role: 'compliance_officer', tenantId: other.id });
  });
  afterAll(() => stack?.close());

  // As just signed in, so a key is made without the password again (src/domain/identity/presence.ts).
  const signedIn = (user: User) => ({ Authorization: signedInBearer(stack.config, user) });
  const asAdmin = () => signedIn(admin);
  const withKey = (key: string) => ({ Authorization: `Bearer ${key}` });
  const createKey = (body: object, auth: Record<string, string> = asAdmin()) => stack.api.post('/api/v1/api-keys').set(auth).send(body);

  async function newKey(role = 'compliance_officer', name = 'Fraud engine'): Promise<{ id: string; key: string; prefix: string }> {
    const res = await createKey({ name, role, expiresAt: inDays(90) });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string; prefix: string };
  }

  const requirementBody = (owner: User) => ({
    title: 'Information security',
    frameworkRef: 'ISO 27001 A.5.1',
    ownerId: owner.id,
    dueAt: inDays(30),
  });
  const graphql = (auth: Record<string, string>, query: string, variables: object = {}) =>
    stack.api.post('/api/graphql').set('Accept', 'application/graphql-response+json').set(auth).send({ query, variables });

  it('answers the key once, stores only the SHA-256 of its secret, and lists it without', async () => {
    const created = await createKey({ name: ' Warehouse export ', role: 'claims_manager', expiresAt: inDays(30) }).expect(201);
    const { key, prefix, id } = created.body as { key: string; prefix: string; id: string };
    expect(key).toMatch(/^ifk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`ifk_${prefix}_`)).toBe(true);
    expect(created.body).toMatchObject({
      name: 'Warehouse export',
      role: 'claims_manager',
      createdBy: admin.id,
      revokedAt: null,
      lastUsedAt: null,
    });

    const secret = key.slice(`ifk_${prefix}_`.length);
    const row = (await ApiKey.findByPk(id))!;
    expect(row.secretHash).toBe(crypto.createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(await ApiKey.findAll({ raw: true }))).not.toContain(secret);

    const listed = await stack.api.get('/api/v1/api-keys').set(asAdmin()).expect(200);
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ id, prefix, name: 'Warehouse export', role: 'claims_manager', createdBy: admin.id, revokedAt: null }),
    );
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(listed.body)).not.toMatch(/secretHash/);

    const creation = await AuditEvent.findAll({ where: { entityId: id, action: 'api_key.create' } });
    expect(creation.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({ actor: { type: 'user', id: admin.id }, tenantId: tenant.id }),
    ]);
    expect(JSON.stringify(creation)).not.toContain(secret);
  });

  it('refuses a tenant_admin role, a lifetime over a year, a past expiry, a long name and other callers', async () => {
    await createKey({ name: 'x', role: 'tenant_admin', expiresAt: inDays(30) }).expect(400);
    await createKey({ name: 'x', role: 'platform_admin', expiresAt: inDays(30) }).expect(400);
    await createKey({ name: 'x', role: 'adjuster' }).expect(400);
    await createKey({ name: 'x'.repeat(101), role: 'adjuster', expiresAt: inDays(30) }).expect(400);
    await createKey({ name: '', role: 'adjuster', expiresAt: inDays(30) }).expect(400);
    await createKey({ name: 'x\r\ny', role: 'adjuster', expiresAt: inDays(30) }).expect(400);
    await createKey({ name: 'x', role: 'adjuster', expiresAt: inDays(366) }).expect(422);
    await createKey({ name: 'x', role: 'adjuster', expiresAt: inDays(-1) }).expect(422);
    // A day not in the calendar was kept as another one: 2027-02-29 as 1 March.
    await createKey({ name: 'x', role: 'adjuster', expiresAt: '2027-02-29' }).expect(400);
    await createKey({ name: 'x', role: 'adjuster', expiresAt: '2027-02-30T12:00:00Z' }).expect(400);
    await createKey({ name: 'x', role: 'adjuster', expiresAt: inDays(30) }, { Authorization: bearer(stack.config, officer) }).expect(403);
    expect(await ApiKey.count({ where: { name: 'x' } })).toBe(0);
  });

  it('is made only with proof the admin is there: a session alone (a refreshed or stolen one) is 403, a wrong password 400, no key stored', async () => {
    // A key outlives the session that made it (a year, a new password): a thief's session must not mint one.
    const session = await stack.api.post('/api/v1/auth/login').send({ email: admin.email, password: TEST_PASSWORD }).expect(200);
    const refreshed = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: session.body.tokens.refreshToken }).expect(200);
    const auth = { Authorization: `Bearer ${refreshed.body.accessToken as string}` };
    const body = { name: 'Thief', role: 'claims_manager', expiresAt: inDays(300) };
    const bare = await createKey(body, auth).expect(403);
    expect(bare.body.error.code).toBe('reauthentication_required');
    expect((await createKey({ ...body, currentPassword: 'Not-The-Password-1' }, auth).expect(400)).body.error.code).toBe(
      'wrong_current_password',
    );
    expect(await ApiKey.count({ where: { name: 'Thief' } })).toBe(0);
    await createKey({ ...body, name: 'Proven', currentPassword: TEST_PASSWORD }, auth).expect(201);
    // Just signed in, the admin need not type the password again.
    await createKey({ ...body, name: 'Fresh' }, { Authorization: `Bearer ${session.body.tokens.accessToken as string}` }).expect(201);
  });

  it("refuses a policyholder's role (400), and a policyholder key made behind the API's back is refused (401)", async () => {
    // A key speaks for its creator, a tenant admin: with a policyholder's role it took out policies
    // the admin held and filed claims with the admin as claimant.
    await createKey({ name: 'Holder portal', role: 'policyholder', expiresAt: inDays(30) }).expect(400);
    expect(await ApiKey.count({ where: { name: 'Holder portal' } })).toBe(0);

    const { key, id } = await newKey('claims_agent', 'Holder portal');
    await ApiKey.update({ role: 'policyholder' }, { where: { id } });
    const plan = await buildPlan({ tenantId: tenant.id });
    await stack.api.post('/api/v1/subscriptions').set(withKey(key)).send({ planId: plan.id }).expect(401);
    await stack.api.get('/api/v1/subscriptions').set(withKey(key)).expect(401);
    expect(await Subscription.count({ where: { policyholderId: admin.id } })).toBe(0);
  });

  it('acts with its role on REST and GraphQL, and the audit trail names the key and who created it', async () => {
    const { id, key } = await newKey();
    const created = await stack.api.post('/api/v1/compliance/requirements').set(withKey(key)).send(requirementBody(officer)).expect(201);
    await stack.api.get(`/api/v1/compliance/requirements/${created.body.id}`).set(withKey(key)).expect(200);

    const answer = await graphql(withKey(key), 'query ($id: ID!) { complianceRequirement(id: $id) { id title } viewer { id } }', {
      id: created.body.id,
    }).expect(200);
    expect(answer.body).toEqual({ data: { complianceRequirement: { id: created.body.id, title: 'Information security' }, viewer: null } });

    const events = await AuditEvent.findAll({ where: { entityId: created.body.id } });
    expect(events.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({
        actor: { type: 'api_key', id, createdBy: admin.id },
        tenantId: tenant.id,
        entityType: 'compliance_requirement',
      }),
    ]);
    const trail = await stack.api.get(`/api/v1/audit-events?entityId=${created.body.id}`).set(asAdmin()).expect(200);
    expect(trail.body.items.map((e: { actor: object }) => e.actor)).toEqual([{ type: 'api_key', id, createdBy: admin.id }]);
  });

  it('never manages keys, users, settings or an account, even with a role that could (403)', async () => {
    const { key } = await newKey('adjuster');
    // A key made an admin behind the API's back carries a role no key may (the verb beApiKeyRole):
    // refused (401) like a revoked key, here and on the routes an admin could otherwise work.
    const { key: adminKey, id: adminKeyId } = await newKey('adjuster', 'Tampered');
    await ApiKey.update({ role: 'tenant_admin' }, { where: { id: adminKeyId } });
    for (const [k, status] of [
      [key, 403],
      [adminKey, 401],
    ] as const) {
      await stack.api
        .post('/api/v1/api-keys')
        .set(withKey(k))
        .send({ name: 'more', role: 'adjuster', expiresAt: inDays(30) })
        .expect(status);
      await stack.api.get('/api/v1/api-keys').set(withKey(k)).expect(status);
      await stack.api.get('/api/v1/users').set(withKey(k)).expect(status);
      await stack.api.get('/api/v1/tenant/settings').set(withKey(k)).expect(status);
      await stack.api.put('/api/v1/tenant/settings').set(withKey(k)).send({ claimAutoApproveLimit: 1 }).expect(status);
      await stack.api.get('/api/v1/tenant/sso').set(withKey(k)).expect(status);
      await stack.api.get('/api/v1/auth/me').set(withKey(k)).expect(status);
      await stack.api
        .post('/api/v1/auth/password')
        .set(withKey(k))
        .send({ currentPassword: 'x', newPassword: 'Whatever-123' })
        .expect(status);
    }
    await stack.api.get('/api/v1/subscriptions').set(withKey(adminKey)).expect(401);
    expect(await ApiKey.count({ where: { name: 'more' } })).toBe(0);
  });

  it('is a security scheme of the OpenAPI document on the routes a key may call, and absent from those kept for people', async () => {
    const document = (await stack.api.get('/api/openapi.json').expect(200)).body;
    expect(document.components.securitySchemes.apiKeyAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'ifk_<prefix>_<secret>',
    });
    const securityOf = (path: string, method: string) => document.paths[`/api/v1${path}`][method].security;
    expect(securityOf('/claims', 'get')).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }]);
    for (const [path, method] of [
      ['/api-keys', 'get'],
      ['/users', 'get'],
      ['/tenant/sso', 'get'],
      ['/auth/me', 'get'],
      // A person's decision (src/access/verbs/person-decisions.ts).
      ['/claims/{id}/payments/{paymentId}/void', 'post'],
      ['/quotes/{id}/decline', 'post'],
    ]) {
      expect(securityOf(path, method)).toEqual([{ bearerAuth: [] }]);
    }
  });

  it("refuses a key every person's decision, either way it goes (403 person_required before anything is read), on REST and GraphQL; routine writes stay open", async () => {
    // Rows that do not exist: a key refused before the row is read gets 403, one let through 404.
    const missing = crypto.randomUUID();
    const decisions: [role: string, path: string][] = [
      ['claims_manager', `/claims/${missing}/payments/${missing}/approve`],
      ['claims_manager', `/claims/${missing}/payments/${missing}/void`],
      ['claims_manager', `/claims/${missing}/reserves/changes/${missing}/approve`],
      ['claims_manager', `/claims/${missing}/reserves/changes/${missing}/reject`],
      ['claims_manager', `/claims/${missing}/reopen`],
      ['compliance_officer', `/compliance/versions/${missing}/approve`],
      ['compliance_officer', `/compliance/versions/${missing}/reject`],
      ['compliance_officer', `/privacy/holds/${missing}/release`],
      ['compliance_officer', `/acknowledgements/${missing}/acknowledge`],
      ['underwriter', `/quotes/${missing}/accept`],
      ['underwriter', `/quotes/${missing}/decline`],
    ];
    const keys = new Map<string, string>();
    for (const role of new Set(decisions.map(([role]) => role))) keys.set(role, (await newKey(role, `${role} machine`)).key);
    const answers = [];
    for (const [role, path] of decisions) {
      const answer = await stack.api
        .post(`/api/v1${path}`)
        .set(withKey(keys.get(role)!))
        .send({});
      answers.push([path, answer.status, answer.body.error?.code]);
    }
    expect(answers).toEqual(decisions.map(([, path]) => [path, 403, 'person_required']));

    const mutation = (name: string, args: string) =>
      graphql(
        withKey(keys.get(name === 'declineQuoteReferral' ? 'underwriter' : 'compliance_officer')!),
        `mutation { ${name}(${args}) { id } }`,
      );
    for (const [name, args] of [
      ['rejectVersion', `id: "${missing}", reason: "No"`],
      ['declineQuoteReferral', `id: "${missing}", note: "No"`],
    ]) {
      const answer = await mutation(name, args).expect(200);
      expect(answer.body.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN', reason: 'person_required' }) }),
      ]);
    }
    // What a machine does routinely is answered as for a person: here the row is looked for (404).
    await stack.api
      .post(`/api/v1/compliance/versions/${missing}/submit`)
      .set(withKey(keys.get('compliance_officer')!))
      .send({})
      .expect(404);
  });

  it("answers 404 for another tenant's rows", async () => {
    const { key } = await newKey();
    const theirs = await stack.api
      .post('/api/v1/compliance/requirements')
      .set({ Authorization: bearer(stack.config, otherOfficer) })
      .send(requirementBody(otherOfficer))
      .expect(201);
    await stack.api.get(`/api/v1/compliance/requirements/${theirs.body.id}`).set(withKey(key)).expect(404);
    const answer = await graphql(withKey(key), 'query ($id: ID!) { complianceRequirement(id: $id) { id } }', { id: theirs.body.id }).expect(
      200,
    );
    expect(answer.body.data).toEqual({ complianceRequirement: null });
  });

  it('refuses malformed, expired and unknown keys with 401 and no detail, and keys of a suspended tenant with 403', async () => {
    const { key, id } = await newKey();
    const refusals = [
      'ifk_',
      `${key}x`,
      key.replace(/^ifk_/, 'ifx_'),
      `ifk_${'0'.repeat(12)}_${'A'.repeat(43)}`,
      `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`,
    ];
    const bodies = new Set<string>();
    for (const candidate of refusals) {
      const res = await stack.api.get('/api/v1/compliance/requirements').set(withKey(candidate));
      if (!candidate.startsWith('ifx_')) bodies.add(JSON.stringify({ ...res.body.error, requestId: undefined, details: undefined }));
      expect(res.status).toBe(401);
    }
    expect([...bodies]).toEqual([JSON.stringify({ code: 'unauthorized', message: 'Authentication required' })]);

    expect(id).toBeDefined();
    // Expired (set behind the API's back before the key was ever used, so no process has it cached).
    const expiring = await newKey();
    await ApiKey.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { id: expiring.id } });
    await stack.api.get('/api/v1/compliance/requirements').set(withKey(expiring.key)).expect(401);

    const suspendedTenant = await buildTenant({ name: 'Dormant Ltd' });
    const dormantAdmin = await buildUser({ role: 'tenant_admin', tenantId: suspendedTenant.id });
    const dormant = await createKey({ name: 'Dormant', role: 'compliance_officer', expiresAt: inDays(30) }, signedIn(dormantAdmin)).expect(
      201,
    );
    await suspendedTenant.update({ status: 'suspended' });
    const refused = await stack.api.get('/api/v1/compliance/requirements').set(withKey(dormant.body.key)).expect(403);
    expect(refused.body.error.code).toBe('tenant_suspended');
  });

  it('writes last_used_at once a minute at most, not per request', async () => {
    const { key, id } = await newKey();
    await stack.api.get('/api/v1/compliance/requirements').set(withKey(key)).expect(200);
    const firstUse = (await ApiKey.findByPk(id))!.lastUsedAt;
    expect(firstUse).not.toBeNull();
    for (let i = 0; i < 3; i++) await stack.api.get('/api/v1/compliance/requirements').set(withKey(key)).expect(200);
    expect((await ApiKey.findByPk(id))!.lastUsedAt).toEqual(firstUse);
  });

  it('has its own rate limit per key: 429 with Retry-After, other keys unaffected', async () => {
    const { key } = await newKey();
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < PER_KEY_PER_MINUTE + 1; i++) {
      const res = await stack.api.get('/api/v1/compliance/requirements').set(withKey(key));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'] as string;
    }
    expect(statuses.slice(0, PER_KEY_PER_MINUTE).every((s) => s === 200)).toBe(true);
    expect(statuses[PER_KEY_PER_MINUTE]).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const { key: another } = await newKey();
    await stack.api.get('/api/v1/compliance/requirements').set(withKey(another)).expect(200);
    // GraphQL counts the same key's requests.
    const answer = await graphql(withKey(key), '{ viewer { id } }');
    expect(answer.status).toBe(429);
  });

  it('takes as long for a wrong secret as for an unknown prefix (no timing oracle)', async () => {
    const { key, prefix } = await newKey();
    await stack.api.get('/api/v1/compliance/requirements').set(withKey(key)).expect(200);
    const wrongSecret = () => `ifk_${prefix}_${crypto.randomBytes(32).toString('base64url')}`;
    const unknownPrefix = () => `ifk_${crypto.randomBytes(6).toString('hex')}_${crypto.randomBytes(32).toString('base64url')}`;
    // The same work: the same statements, in the same order (their shapes, values left out).
    const shapes = async (candidate: string) => {
      const { statements } = await statementsOf(stack.db.sequelize, () =>
        stack.api.get('/api/v1/compliance/requirements').set(withKey(candidate)).expect(401),
      );
      return statements.map((sql) => sql.replace(/'[^']*'/g, "'?'").replace(/\b\d+\b/g, '?'));
    };
    expect(await shapes(wrongSecret())).toEqual(await shapes(unknownPrefix()));

    const timed = async (candidate: string) => {
      const began = process.hrtime.bigint();
      await stack.api.get('/api/v1/compliance/requirements').set(withKey(candidate)).expect(401);
      return Number(process.hrtime.bigint() - began) / 1e6;
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < TIMING_SAMPLES; i++) {
      wrong.push(await timed(wrongSecret()));
      unknown.push(await timed(unknownPrefix()));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const [w, u] = [median(wrong), median(unknown)];
    process.stdout.write(`[api-keys] median refusal: wrong secret ${w.toFixed(2)} ms, unknown prefix ${u.toFixed(2)} ms\n`);
    // Measured within 1.3× of each other on a loaded machine; 2× leaves headroom for a shared one.
    expect(Math.max(w, u) / Math.min(w, u)).toBeLessThan(2);
  });

  it('revoked: refused at once on this process, audited', async () => {
    const { key, id } = await newKey();
    await stack.api.get('/api/v1/compliance/requirements').set(withKey(key)).expect(200);
    const revoked = await stack.api.delete(`/api/v1/api-keys/${id}`).set(asAdmin()).expect(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    await stack.api.get('/api/v1/compliance/requirements').set(withKey(key)).expect(401);
    const events = await AuditEvent.findAll({ where: { entityId: id, action: 'api_key.revoke' } });
    expect(events.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({ actor: { type: 'user', id: admin.id }, tenantId: tenant.id }),
    ]);
    // Another tenant's admin cannot see or revoke it.
    const otherAdmin = await buildUser({ role: 'tenant_admin', tenantId: otherOfficer.tenantId });
    const { id: mine } = await newKey();
    await stack.api
      .delete(`/api/v1/api-keys/${mine}`)
      .set({ Authorization: bearer(stack.config, otherAdmin) })
      .expect(404);
    expect((await ApiKey.findByPk(mine))!.revokedAt).toBeNull();
  });

  describe('follows its creator', () => {
    /** A key made by a second tenant admin, at work (so this process has it cached, as it has any key in use). */
    async function keyOfAnotherAdmin(): Promise<{ creator: User; key: string }> {
      const creator = await buildUser({ role: 'tenant_admin', tenantId: tenant.id });
      const created = await createKey({ name: 'Claims feed', role: 'compliance_officer', expiresAt: inDays(30) }, signedIn(creator)).expect(
        201,
      );
      const key = (created.body as { key: string }).key;
      await stack.api.get('/api/v1/compliance/requirements').set(withKey(key)).expect(200);
      return { creator, key };
    }

    /** Polls with the key until it is refused; answers how long that took. */
    async function refusedWithin(key: string, what: string, deadlineMs: number): Promise<number> {
      const changedAt = Date.now();
      const refused = await eventually(
        () => stack.api.get('/api/v1/compliance/requirements').set(withKey(key)),
        (res) => res.status === 401,
        what,
        deadlineMs,
      );
      expect(refused.body.error).toMatchObject({ code: 'unauthorized', message: 'Authentication required' });
      return Date.now() - changedAt;
    }

    it('is refused (401) at once once its creator is demoted or deactivated through the API', async () => {
      for (const change of [{ role: 'claims_manager' }, { isActive: false }]) {
        const { creator, key } = await keyOfAnotherAdmin();
        await stack.api.patch(`/api/v1/users/${creator.id}`).set(asAdmin()).send(change).expect(200);
        // This process forgets the creator's keys with the change: the very next request is refused.
        await stack.api.get('/api/v1/compliance/requirements').set(withKey(key)).expect(401);
      }
    });

    it('is refused within 10 s once its creator is demoted or deactivated elsewhere (another process, SQL)', async () => {
      for (const change of [{ role: 'adjuster' as const }, { isActive: false }]) {
        const { creator, key } = await keyOfAnotherAdmin();
        // Behind this process's back: only the key cache's 10 s bound makes it see the change.
        await User.update(change, { where: { id: creator.id } });
        const afterMs = await refusedWithin(key, `the key refused after ${JSON.stringify(change)}`, AUTHORITY_TTL_MS + 2_000);
        process.stdout.write(`[api-keys] key refused ${afterMs} ms after its creator's ${Object.keys(change)[0]} changed\n`);
        expect(afterMs).toBeLessThanOrEqual(10_000);
      }
    });
  });

  describe('on another API process', () => {
    /** The built API server (dist, as the image runs it) on the same database: its own key cache. */
    let other: OtherApi | undefined;
    let otherApi: OtherApi['api'];

    beforeAll(async () => {
      other = await startOtherApi(stack, { RATE_LIMIT_API_KEY_FAILURES_PER_SOURCE: String(FAILURES_PER_SOURCE) });
      otherApi = other.api;
    });
    afterAll(() => other?.stop());

    it('refuses a revoked key within 10 s there', async () => {
      const { key, id } = await newKey();
      // The other process has the key cached, as it has for any key at work there.
      await otherApi.get('/api/v1/compliance/requirements').set(withKey(key)).expect(200);
      await stack.api.delete(`/api/v1/api-keys/${id}`).set(asAdmin()).expect(200);
      const revokedAt = Date.now();
      await eventually(
        () => otherApi.get('/api/v1/compliance/requirements').set(withKey(key)),
        (res) => res.status === 401,
        'the revoked key refused on the other process',
        AUTHORITY_TTL_MS + 2_000,
      );
      const refusedAfterMs = Date.now() - revokedAt;
      process.stdout.write(`[api-keys] revoked key refused on the other process ${refusedAfterMs} ms after the revocation\n`);
      expect(refusedAfterMs).toBeLessThanOrEqual(AUTHORITY_TTL_MS + 1_000);
    });
  });

  // Last: it delays this test client's address for every key.
  it('stops unbounded guessing: an address sending wrong keys is delayed (429), even with a right key then', async () => {
    const { key } = await newKey();
    let refusedAt: number | undefined;
    for (let attempt = 1; attempt <= FAILURES_PER_SOURCE + 5 && refusedAt === undefined; attempt++) {
      const guess = `ifk_${crypto.randomBytes(6).toString('hex')}_${crypto.randomBytes(32).toString('base64url')}`;
      const res = await stack.api.get('/api/v1/compliance/requirements').set(withKey(guess));
      if (res.status === 429) {
        refusedAt = attempt;
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      } else expect(res.status).toBe(401);
    }
    expect(refusedAt).toBeDefined();
    await stack.api.get('/api/v1/compliance/requirements').set(withKey(key)).expect(429);
    // Access tokens are not counted there: a person at the same address still works.
    await stack.api
      .get('/api/v1/compliance/requirements')
      .set({ Authorization: bearer(stack.config, officer) })
      .expect(200);
  });
});
