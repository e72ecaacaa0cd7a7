/**
 * Security hardening on the real API, worker, PostgreSQL and Temporal dev server: hostile text
 * never reaches the password hash, tokens lose their power as soon as the user's authority
 * changes, the four-eyes rule survives reassignment, and odd methods, huge amounts and other
 * people's resources get clear 4xx answers.
 */
import crypto from 'node:crypto';
import { Claim, Plan, RefreshToken, Registration, Subscription, Tenant, User } from '../../src/models';
import { ConfigError, loadConfig } from '../../src/config';
import { subscriptionRun } from '../../src/contracts/subscription';
import { createClaimsTeam, type ClaimsTeam } from '../claims/fixtures';
import {
  bearer,
  buildCategory,
  buildSubscription,
  buildTenant,
  buildUser,
  LEGACY_BCRYPT_PASSWORD_HASH,
  TEST_PASSWORD,
  TEST_PASSWORD_HASH,
} from '../support/factories';
import { productionSecrets } from '../support/config';
import { testStackOfBlock } from '../support/stack';
import { waitUntil } from '../support/waiting';

const LONE_SURROGATE = 'abc\ud800';

describe('security hardening (API)', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let admin: User;

  beforeAll(async () => {
    tenant = await buildTenant();
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const login = (email: string, password = TEST_PASSWORD) => stack.api.post('/api/v1/auth/login').send({ email, password });

  describe('no input can crash the process', () => {
    it('refuses a lone surrogate on every route that hashes a password with 400 naming the field; the API stays ready', async () => {
      const users = await User.count();
      const registrations = await Registration.count();
      const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
      const requests = [
        [stack.api.post('/api/v1/auth/login').send({ email: 'nobody@example.com', password: LONE_SURROGATE }), 'body.password'],
        [
          stack.api
            .post('/api/v1/auth/register')
            .send({ tenantSlug: tenant.slug, email: 'x@example.test', password: LONE_SURROGATE, fullName: 'X' }),
          'body.password',
        ],
        [
          stack.api.post('/api/v1/registrations').send({
            companyName: 'Evil Co',
            businessType: 'insurance',
            phone: '+44 20 7946 0000',
            contactEmail: 'contact@evil.test',
            address: '1 Road',
            requestedSlug: 'evil-co',
            adminEmail: 'admin@evil.test',
            adminFullName: 'Eve',
            adminPassword: `Password1${LONE_SURROGATE}`,
          }),
          'body.adminPassword',
        ],
        [
          stack.api
            .post('/api/v1/users')
            .set(as(admin))
            .send({ email: 'y@example.test', fullName: 'Y', role: 'adjuster', password: LONE_SURROGATE }),
          'body.password',
        ],
        [
          stack.api
            .patch(`/api/v1/users/${holder.id}`)
            .set(as(admin))
            .send({ password: `Password1${LONE_SURROGATE}` }),
          'body.password',
        ],
      ] as const;
      for (const [request, field] of requests) {
        const res = await request;
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
        expect(res.body.error.details).toEqual([expect.objectContaining({ field })]);
      }
      expect(await User.count()).toBe(users + 1);
      expect(await Registration.count()).toBe(registrations);
      await expect(User.findByPk(holder.id)).resolves.toMatchObject({ passwordHash: TEST_PASSWORD_HASH });
      await stack.api.get('/readyz').expect(200, { status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });
    });

    it('refuses NUL and lone surrogates in any string field, nested or in the query, and bounds passwords to 8–128 characters', async () => {
      const nul = await stack.api
        .post('/api/v1/users')
        .set(as(admin))
        .send({ email: 'z@example.test', fullName: 'Zed\u0000', role: 'adjuster', password: 'Password123' });
      expect(nul.status).toBe(400);
      expect(nul.body.error.details).toEqual([
        expect.objectContaining({ field: 'body.fullName', message: expect.stringContaining('NUL') }),
      ]);
      const deep = await stack.api
        .post('/api/v1/users')
        .set(as(admin))
        .set('Content-Type', 'application/json')
        .send(`{"email":"d@example.test","fullName":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
      expect(deep.status).toBe(400);
      expect(deep.body.error.details[0].message).toContain('nested');
      const many = await stack.api
        .post('/api/v1/users')
        .set(as(admin))
        .send({ email: 'm@example.test', fullName: Array(5000).fill('\ud800') });
      expect(many.status).toBe(400);
      expect(many.body.error.details).toHaveLength(20);
      const query = await stack.api.get(`/api/v1/users?role=${encodeURIComponent('adjuster\u0000')}`).set(as(admin));
      expect(query.status).toBe(400);
      expect(query.body.error.details[0].field).toBe('query.role');
      const long = await stack.api
        .post('/api/v1/users')
        .set(as(admin))
        .send({ email: 'w@example.test', fullName: 'W', role: 'adjuster', password: `Ab1${'x'.repeat(126)}` });
      expect(long.status).toBe(400);
      const short = await stack.api
        .post('/api/v1/users')
        .set(as(admin))
        .send({ email: 'w@example.test', fullName: 'W', role: 'adjuster', password: 'Abc1234' });
      expect(short.status).toBe(400);
      await stack.api
        .post('/api/v1/users')
        .set(as(admin))
        .send({ email: 'w@example.test', fullName: 'W', role: 'adjuster', password: 'Abcd1234' })
        .expect(202);
      await stack.smtp.waitFor((m) => m.to.includes('w@example.test'));
      expect(await User.count({ where: { email: 'w@example.test' } })).toBe(1);
      expect(await User.count({ where: { email: 'z@example.test' } })).toBe(0);
    });

    it('hashes with argon2id, and re-hashes a legacy bcrypt hash on the next successful login', async () => {
      const legacy = await buildUser({ tenantId: tenant.id, role: 'adjuster', passwordHash: LEGACY_BCRYPT_PASSWORD_HASH });
      await login(legacy.email).expect(200);
      const rehashed = (await User.findByPk(legacy.id))!.passwordHash;
      expect(rehashed).toMatch(/^\$argon2id\$/);
      await login(legacy.email).expect(200);
      await login(legacy.email, 'Wrong-password-1').expect(401);
      expect((await User.findByPk(legacy.id))!.passwordHash).toBe(rehashed);
    });
  });

  describe('authority is always current', () => {
    it('refuses a token whose user was deactivated, demoted or moved (401), or whose tenant was suspended (403 tenant_suspended)', async () => {
      const [deactivated, demoted, moved, suspendedOne] = await Promise.all(
        (['adjuster', 'senior_adjuster', 'adjuster'] as const)
          .map((role) => buildUser({ tenantId: tenant.id, role }))
          .concat(buildUser({ role: 'adjuster' })),
      );
      const tokens = [deactivated, demoted, moved, suspendedOne].map((user) => as(user));
      for (const token of tokens) await stack.api.get('/api/v1/auth/me').set(token).expect(200);

      // Changed behind the API's back (another process, a console): seen once the short cache expires.
      await deactivated.update({ isActive: false });
      await demoted.update({ role: 'policyholder' });
      await moved.update({ tenantId: (await buildTenant()).id });
      await Tenant.update({ status: 'suspended' }, { where: { id: suspendedOne.tenantId! } });
      // Within the authority cache's 10 s (AUTHORITY_TTL_MS), polled rather than slept through.
      const refusedOnce = async (token: (typeof tokens)[number], status: number) =>
        (await stack.api.get('/api/v1/auth/me').set(token)).status === status;
      await waitUntil(
        async () => (await Promise.all(tokens.map((token, i) => refusedOnce(token, i < 3 ? 401 : 403)))).every(Boolean),
        'every changed user to be refused',
        12_000,
      );
      for (const token of tokens.slice(0, 3)) {
        const res = await stack.api.get('/api/v1/auth/me').set(token).expect(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
      const suspended = await stack.api.get('/api/v1/auth/me').set(tokens[3]).expect(403);
      expect(suspended.body.error.code).toBe('tenant_suspended');
      // Nor can they start a new session.
      await login(deactivated.email).expect(401);
      await login(suspendedOne.email).expect(403);
    });

    it('revokes every session at once when a tenant admin changes a role or the active flag', async () => {
      for (const change of [{ role: 'claims_manager' }, { isActive: false }]) {
        const user = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
        const first = (await login(user.email).expect(200)).body.tokens;
        const second = (await login(user.email).expect(200)).body.tokens;
        await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${first.accessToken}`).expect(200);

        await stack.api.patch(`/api/v1/users/${user.id}`).set(as(admin)).send(change).expect(200);

        // Immediately, in this process: old access tokens and every refresh-token family are dead.
        await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${first.accessToken}`).expect(401);
        await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
        await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
        expect(await RefreshToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
      }
      // A name change is not a change of authority: sessions survive it.
      const user = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
      const tokens = (await login(user.email).expect(200)).body.tokens;
      await stack.api.patch(`/api/v1/users/${user.id}`).set(as(admin)).send({ fullName: 'Renamed' }).expect(200);
      await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${tokens.accessToken}`).expect(200);
    });

    it('keeps the session lifetime absolute: rotation never moves the end of the login', async () => {
      const user = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
      const first = (await login(user.email).expect(200)).body.tokens;
      const originalEnd = (await RefreshToken.findOne({ where: { userId: user.id } }))!.expiresAt;
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const second = (await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
      await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken }).expect(200);
      const rows = await RefreshToken.findAll({ where: { userId: user.id } });
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row.expiresAt.getTime()).toBe(originalEnd.getTime());
    });
  });

  describe('business rules', () => {
    let team: ClaimsTeam;
    beforeAll(async () => {
      team = await createClaimsTeam();
    });
    const transition = (claimId: string, user: User, body: Record<string, unknown>) =>
      stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(user)).send(body);

    it('refuses the four-eyes bypass: self-assign, ask for approval, reassign away, approve → 409 second_approver_required', async () => {
      const subscription = await buildSubscription({ policyholderId: team.claimant.id });
      const filed = (
        await stack.api
          .post('/api/v1/claims')
          .set(as(team.claimant))
          .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 20_000, description: 'Roof' })
          .expect(201)
      ).body;
      await stack.api.post(`/api/v1/claims/${filed.id}/assign`).set(as(team.senior)).send({ assigneeId: team.senior.id }).expect(200);
      await transition(filed.id, team.senior, { to: 'under_review' }).expect(200);
      await transition(filed.id, team.senior, { to: 'waiting_approval' }).expect(200);
      await stack.api.post(`/api/v1/claims/${filed.id}/assign`).set(as(team.senior)).send({ assigneeId: team.adjuster.id }).expect(200);

      const bypass = await transition(filed.id, team.senior, { to: 'approved' }).expect(409);
      expect(bypass.body.error).toMatchObject({
        code: 'second_approver_required',
        details: [expect.objectContaining({ rule: 'separation_of_duties' })],
      });
      await transition(filed.id, team.manager, { to: 'approved' }).expect(200);
    });

    it('answers 400 for an amount beyond DECIMAL(12,2), not 500, and stores nothing', async () => {
      const category = await buildCategory({ tenantId: tenant.id, name: 'Huge' });
      const res = await stack.api.post('/api/v1/plans').set(as(admin)).send({
        categoryId: category.id,
        name: 'Too big',
        coverageLevel: 'premium',
        coverageAmount: '10000000000',
        premium: '100.00',
        durationMonths: 12,
      });
      // The one money input bounds the digits before the point as the column does (docs/api.md, Money).
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'body.coverageAmount' })]);
      expect(await Plan.count({ where: { name: 'Too big' } })).toBe(0);
    });

    it("answers 404 for another policyholder's subscription and its run", async () => {
      const [owner, neighbour] = await Promise.all([
        buildUser({ tenantId: tenant.id, role: 'policyholder' }),
        buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      ]);
      const subscription = await buildSubscription({ policyholderId: owner.id });
      const workflowId = subscriptionRun.id(subscription.id);
      await Subscription.update({ workflowId }, { where: { id: subscription.id } });
      // A run that exists (no worker serves its queue): only who may see the row may describe it.
      await stack.temporal.workflow.start('subscriptionWorkflow', { taskQueue: `idle-${crypto.randomUUID()}`, workflowId, args: [{}] });
      await stack.api.get(`/api/v1/workflows/${workflowId}`).set(as(owner)).expect(200);
      await stack.api.get(`/api/v1/workflows/${workflowId}`).set(as(admin)).expect(200);
      await stack.api.get(`/api/v1/workflows/${workflowId}`).set(as(neighbour)).expect(404);
      await stack.api.get(`/api/v1/subscriptions/${subscription.id}`).set(as(neighbour)).expect(404);
      await stack.api.patch(`/api/v1/subscriptions/${subscription.id}/cancel`).set(as(neighbour)).expect(404);
      await stack.temporal.workflow.getHandle(workflowId).terminate('test done');
    });

    it("answers 404, never 403, for another policyholder's claim, its documents and its run, and to a platform admin for the run", async () => {
      const [owner, neighbour, platformAdmin] = await Promise.all([
        buildUser({ tenantId: tenant.id, role: 'policyholder' }),
        buildUser({ tenantId: tenant.id, role: 'policyholder' }),
        buildUser({ role: 'platform_admin' }),
      ]);
      const subscription = await buildSubscription({ policyholderId: owner.id });
      const filing = {
        subscriptionId: subscription.id,
        incidentDate: new Date().toISOString().slice(0, 10),
        amountClaimed: 100,
        description: 'Broken window',
      };
      const filed = await stack.api.post('/api/v1/claims').set(as(owner)).send(filing).expect(201);
      const { workflowId } = filed.body.workflow;
      await stack.api.get(`/api/v1/workflows/${workflowId}`).set(as(owner)).expect(200);
      for (const path of [
        `/api/v1/claims/${filed.body.id}`,
        `/api/v1/claims/${filed.body.id}/documents`,
        `/api/v1/workflows/${workflowId}`,
      ]) {
        const refused = await stack.api.get(path).set(as(neighbour)).expect(404);
        expect(refused.body.error.code).toBe('not_found');
      }
      await stack.api.get(`/api/v1/workflows/${workflowId}`).set(as(platformAdmin)).expect(404);
      // Filing on someone else's subscription finds no such subscription, and files nothing.
      const foreign = await stack.api.post('/api/v1/claims').set(as(neighbour)).send(filing).expect(404);
      expect(foreign.body.error.message).toBe('Subscription not found');
      expect(await Claim.count({ where: { claimantId: neighbour.id } })).toBe(0);
    });
  });

  describe('HTTP surface', () => {
    it('answers TRACE, PROPFIND and other unsupported methods with 405 and Allow, never 500', async () => {
      const trace = await stack.api.trace('/api/v1/auth/me').set(as(admin));
      expect(trace.status).toBe(405);
      expect(trace.headers.allow).toBe('HEAD, GET');
      const propfind = await stack.api.propfind('/api/v1/plans').set(as(admin));
      expect(propfind.status).toBe(405);
      expect(propfind.headers.allow).toBe('HEAD, GET, POST');
      const del = await stack.api.delete('/api/v1/auth/me').set(as(admin)).expect(405);
      expect(del.body.error.code).toBe('method_not_allowed');
      // A path of its own is not also the parameter route beside it (GET /registrations/:id).
      const verify = await stack.api.options('/api/v1/registrations/verify').expect(204);
      expect(verify.headers.allow).toBe('POST');
      const getVerify = await stack.api.get('/api/v1/registrations/verify').set(as(admin)).expect(405);
      expect(getVerify.headers.allow).toBe('POST');
      const registration = await stack.api.options(`/api/v1/registrations/${crypto.randomUUID()}`).expect(204);
      expect(registration.headers.allow).toBe('HEAD, GET');
    });
  });
});

describe('signing secret checks at start-up', () => {
  const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

  it('refuses a missing, short or placeholder JWT_SECRET outside development, naming the variable', () => {
    for (const NODE_ENV of ['production', 'test']) {
      expect(() => loadConfig({ ...base, NODE_ENV })).toThrow(/JWT_SECRET/);
      expect(() => loadConfig({ ...base, NODE_ENV, JWT_SECRET: 'too-short' })).toThrow(/JWT_SECRET/);
      expect(() => loadConfig({ ...base, NODE_ENV, JWT_SECRET: 'change-me-to-a-long-random-secret-of-32+-chars' })).toThrow(
        /JWT_SECRET" is a known placeholder/,
      );
      expect(() => loadConfig({ ...base, NODE_ENV, JWT_SECRET: 'x'.repeat(40) })).toThrow(/placeholder/);
    }
    expect(
      loadConfig({ ...base, ...productionSecrets(), NODE_ENV: 'production', JWT_SECRET: crypto.randomBytes(36).toString('base64') }).jwt
        .secret,
    ).toHaveLength(48);
  });

  it('refuses to start the API or a worker in production without METRICS_TOKEN or PAYLOAD_CODEC_KEYS, naming each; an operator command needs neither', () => {
    const production = { ...base, NODE_ENV: 'production', JWT_SECRET: crypto.randomBytes(36).toString('base64') };
    const secrets = productionSecrets();
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('started without its production secrets');
    };
    const neither = refusal(production);
    expect(neither).toContain('"METRICS_TOKEN" is required in production');
    expect(neither).toContain('"PAYLOAD_CODEC_KEYS" is required in production');
    const { METRICS_TOKEN, ...withoutToken } = secrets;
    expect(refusal({ ...production, ...withoutToken })).toMatch(
      /^Invalid configuration \(environment variables\):\n {2}- "METRICS_TOKEN" is required in production, .*openssl rand -hex 24$/,
    );
    const { PAYLOAD_CODEC_KEYS, PAYLOAD_CODEC_ACTIVE_KEY, ...withoutKeys } = secrets;
    expect(refusal({ ...production, ...withoutKeys })).toMatch(
      /^Invalid configuration \(environment variables\):\n {2}- "PAYLOAD_CODEC_KEYS" is required in production, .*openssl rand -base64 32/,
    );

    const started = loadConfig({ ...production, ...secrets });
    expect(started.metrics.token).toBe(METRICS_TOKEN);
    expect(started.temporal.payloadCodec?.activeKeyId).toBe(PAYLOAD_CODEC_ACTIVE_KEY);
    expect(started.temporal.payloadCodec?.keys.get('k1')?.toString('base64')).toBe(PAYLOAD_CODEC_KEYS.slice(3));
    // Migrations and the platform admin commands (scripts/admin.ts) serve no /metrics and send nothing to Temporal.
    expect(loadConfig(production, { operator: true }).metrics.token).toBeUndefined();
    // Outside production both stay optional (the start command and the tests run without).
    expect(loadConfig({ ...production, NODE_ENV: 'test' }).temporal.payloadCodec).toBeUndefined();
  });

  it('refuses private-network webhooks in production', () => {
    const secret = crypto.randomBytes(36).toString('base64');
    expect(() => loadConfig({ ...base, NODE_ENV: 'production', JWT_SECRET: secret, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' })).toThrow(
      /WEBHOOK_ALLOW_PRIVATE_NETWORKS/,
    );
    expect(
      loadConfig({ ...base, NODE_ENV: 'development', JWT_SECRET: secret, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' })
        .webhookAllowPrivateNetworks,
    ).toBe(true);
  });
});
