/**
 * Onboarding through the real API, worker, Temporal dev server, PostgreSQL and SMTP sink:
 * a company registers, confirms its admin e-mail with the mailed link, a platform admin approves,
 * and its admin logs in to a working tenant.
 */
import crypto from 'node:crypto';
import supertest from 'supertest';
import { createApp } from '../../src/api/app';
import { Category, Registration, Tenant, User, WebhookEvent } from '../../src/models';
import { BusinessStatus, DueAt, TenantId } from '../../src/shared/search-attributes';
import { bearer, buildTenant, buildUser, registrationRequest, TEST_PASSWORD_HASH } from '../support/factories';
import {
  mailedToken,
  REGISTRATION_ADDRESS_IN_USE_SUBJECT,
  VERIFY_ACCOUNT_SUBJECT,
  VERIFY_REGISTRATION_SUBJECT,
} from '../support/mailed-tokens';
import { testStackOfBlock } from '../support/stack';

const ADMIN_PASSWORD = 'Onboard-Secret-42';

const registrationBody = (slug: string) => registrationRequest(slug, { adminPassword: ADMIN_PASSWORD });

describe('onboarding API: /registrations and /tenants', () => {
  const stack = testStackOfBlock({ worker: true });
  let platformAdmin: User;
  let platformAuth: string;
  let otherTenantAdmin: User;
  let otherTenant: Tenant;
  let policyholder: User;

  beforeAll(async () => {
    platformAdmin = await buildUser({ role: 'platform_admin', email: 'ops@insurflow.test' });
    platformAuth = bearer(stack.config, platformAdmin);
    otherTenant = await buildTenant({ slug: 'existing' });
    otherTenantAdmin = await buildUser({ tenantId: otherTenant.id, role: 'tenant_admin' });
    policyholder = await buildUser({ tenantId: otherTenant.id, role: 'policyholder' });
  });

  const register = (body: object, key?: string) => {
    const request = stack.api.post('/api/v1/registrations');
    return (key ? request.set('Idempotency-Key', key) : request).send(body);
  };
  /** Registers and follows the link mailed to the admin e-mail: the answer of the verification. */
  const submit = async (body: { adminEmail: string }, key?: string) => {
    const seen = [...stack.smtp.messages];
    await register(body, key).expect(202);
    const token = await mailedToken(stack.smtp, body.adminEmail, VERIFY_REGISTRATION_SUBJECT, seen);
    return stack.api.post('/api/v1/registrations/verify').send({ token }).expect(202);
  };
  const approve = (id: string, auth?: string) => {
    const request = stack.api.post(`/api/v1/registrations/${id}/approve`);
    return auth ? request.set('Authorization', auth) : request;
  };

  // One company from its registration to a working tenant, step by step: each step starts where
  // the one before left off.
  describe('register → approve → the new tenant admin logs in and creates a plan', () => {
    let id: string;
    let tenantId: string;

    it("submits the registration once its admin confirms the mailed link, keeping only the password's hash", async () => {
      const submitted = await submit(registrationBody('northwind'), 'northwind-application-1');
      id = submitted.body.id;
      expect(submitted.body).toEqual({ id, status: 'pending', workflowId: `onboarding-${id}`, runId: expect.any(String) });
      const stored = await Registration.findByPk(id);
      expect(stored!.adminPasswordHash).toMatch(/^\$argon2id\$/);
      expect(JSON.stringify(stored!.get())).not.toContain(ADMIN_PASSWORD);
    });

    it('replays a retried submission, mails the link once and refuses a second request for the slug', async () => {
      // A retried submission (same key) replays the answer and mails nothing more; the link works
      // once; a second request for the slug is refused: one run only.
      const replay = await register(registrationBody('northwind'), 'northwind-application-1').expect(202);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(
        stack.smtp.messages.filter((m) => m.subject === VERIFY_REGISTRATION_SUBJECT && m.to.includes('admin@northwind.test')),
      ).toHaveLength(1);
      const duplicate = await register({ ...registrationBody('northwind'), adminEmail: 'other@northwind.test' }).expect(409);
      expect(duplicate.body.error.details).toEqual([expect.objectContaining({ field: 'requestedSlug' })]);
      expect(await Registration.count({ where: { requestedSlug: 'northwind' } })).toBe(1);
    });

    it('tells the platform admins and the applicant, and shows the run to operators only', async () => {
      await stack.smtp.waitFor(
        (m) => m.to.includes('ops@insurflow.test') && m.subject === 'New registration: northwind Mutual (northwind)',
      );
      await stack.smtp.waitFor((m) => m.to.includes('hello@northwind.test') && m.subject === 'We received your registration');

      // Operators find the run by its search attributes; tenants never see it.
      const description = await stack.temporal.workflow.getHandle(`onboarding-${id}`).describe();
      expect(description.typedSearchAttributes.get(TenantId)).toBe('platform');
      expect(description.typedSearchAttributes.get(BusinessStatus)).toBe('pending');
      const dueInDays = (description.typedSearchAttributes.get(DueAt)!.getTime() - Date.now()) / 86_400_000;
      expect(dueInDays).toBeGreaterThan(6.9);
      await stack.api.get(`/api/v1/workflows/onboarding-${id}`).set('Authorization', bearer(stack.config, otherTenantAdmin)).expect(404);
    });

    it("is approved by a platform admin only, once, even after someone signed up with the admin's address", async () => {
      // Someone signs up with the admin's address before the approval: an account never verified
      // does not own the address, so it cannot stop the tenant's provisioning.
      await stack.api
        .post('/api/v1/auth/register')
        .send({ tenantSlug: 'existing', email: 'admin@northwind.test', password: 'Squatter-pass-1', fullName: 'Squatter' })
        .expect(202);
      await stack.smtp.waitFor((m) => m.to.includes('admin@northwind.test') && m.subject === VERIFY_ACCOUNT_SUBJECT);

      await approve(id).expect(401);
      await approve(id, bearer(stack.config, otherTenantAdmin)).expect(403);
      await approve(id, bearer(stack.config, policyholder)).expect(403);
      expect((await Registration.findByPk(id))!.status).toBe('pending');

      const approved = await approve(id, platformAuth).expect(200);
      expect(approved.body).toMatchObject({ id, decidedById: platformAdmin.id, status: expect.stringMatching(/^(approved|provisioned)$/) });
      expect(approved.body.adminPasswordHash).toBeUndefined();
      const again = await approve(id, platformAuth).expect(409);
      expect(again.body.error.code).toBe('conflict');
    });

    it('provisions the tenant and records the decision and the provisioning in the audit trail, without the hash', async () => {
      await stack.smtp.waitFor((m) => m.to.includes('admin@northwind.test') && m.subject === 'Your Insurflow tenant is ready');
      const provisioned = await stack.api.get(`/api/v1/registrations/${id}`).set('Authorization', platformAuth).expect(200);
      tenantId = provisioned.body.tenantId;
      expect(provisioned.body).toMatchObject({ status: 'provisioned', tenantId: expect.any(String) });
      expect(provisioned.body.adminPasswordHash).toBeUndefined();
      // Platform events: the decision by the platform admin, the provisioning by the run; no hash recorded.
      const trail = await stack.api
        .get(`/api/v1/audit-events?entityType=registration&entityId=${id}`)
        .set('Authorization', platformAuth)
        .expect(200);
      expect(trail.body.items.map((e: { action: string; actor: object }) => [e.action, e.actor])).toEqual([
        ['registration.approved', { type: 'user', id: platformAdmin.id }],
        ['registration.provisioned', { type: 'workflow', id: `onboarding-${id}` }],
      ]);
      expect(JSON.stringify(trail.body)).not.toMatch(/argon2|\$2[aby]\$|PasswordHash/);
    });

    it('lets the new tenant admin (not the squatter) log in, create a plan and see their own tenant only', async () => {
      const login = await stack.api
        .post('/api/v1/auth/login')
        .send({ email: 'admin@northwind.test', password: ADMIN_PASSWORD })
        .expect(200);
      expect(login.body.user).toMatchObject({ role: 'tenant_admin', tenantId: tenantId, fullName: 'Alex Admin' });
      expect(await User.count({ where: { email: 'admin@northwind.test' } })).toBe(1);
      await stack.api.post('/api/v1/auth/login').send({ email: 'admin@northwind.test', password: 'Squatter-pass-1' }).expect(401);
      const tenantAdminAuth = `Bearer ${login.body.tokens.accessToken}`;
      const category = await Category.findOne({ where: { tenantId: tenantId, name: 'Apartment' } });
      const plan = await stack.api
        .post('/api/v1/plans')
        .set('Authorization', tenantAdminAuth)
        .send({
          categoryId: category!.id,
          name: 'Loft Cover',
          coverageLevel: 'standard',
          coverageAmount: 120000,
          premium: 250,
          durationMonths: 12,
        })
        .expect(201);
      expect(plan.body).toMatchObject({ name: 'Loft Cover', tenantId: tenantId });

      const own = await stack.api.get(`/api/v1/tenants/${tenantId}`).set('Authorization', tenantAdminAuth).expect(200);
      expect(own.body).toMatchObject({ slug: 'northwind', name: 'northwind Mutual', registrationId: id, status: 'active' });
      await stack.api.get(`/api/v1/tenants/${otherTenant.id}`).set('Authorization', tenantAdminAuth).expect(404);
      const tenants = await stack.api.get('/api/v1/tenants?ordering=slug').set('Authorization', platformAuth).expect(200);
      expect(tenants.body.items.map((t: Tenant) => t.slug)).toEqual(['existing', 'northwind']);
      await stack.api.get('/api/v1/tenants').set('Authorization', tenantAdminAuth).expect(403);
    });
  });

  it('rejection needs a reason, reaches the applicant, and a second decision answers 409', async () => {
    const { body } = await submit(registrationBody('southwind'));
    const reject = (payload: object) =>
      stack.api.post(`/api/v1/registrations/${body.id}/reject`).set('Authorization', platformAuth).send(payload);
    await reject({}).expect(400);
    await reject({ reason: '   ' }).expect(400);

    const rejected = await reject({ reason: 'We only onboard licensed insurers' }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'We only onboard licensed insurers', decidedById: platformAdmin.id });
    await approve(body.id, platformAuth).expect(409);
    await reject({ reason: 'again' }).expect(409);
    const mail = await stack.smtp.waitFor((m) => m.to.includes('hello@southwind.test') && m.subject === 'Your registration was declined');
    expect(mail.text).toContain('We only onboard licensed insurers');
    expect(await Tenant.count({ where: { slug: 'southwind' } })).toBe(0);
    // A platform event, recorded with the decision (docs/webhooks.md).
    expect(await WebhookEvent.findOne({ where: { type: 'registration.rejected', subject: `registrations/${body.id}` } })).toMatchObject({
      tenantId: null,
      data: { registrationId: body.id, decidedById: platformAdmin.id },
    });

    // The slug is free again once the request is closed.
    const retry = await submit(registrationBody('southwind'));
    expect(retry.body.id).not.toBe(body.id);
  });

  it('refuses bad input with 4xx, creates nothing and never echoes the password', async () => {
    const before = await Registration.count();
    const unknownField = await register({ ...registrationBody('valid-slug'), plan: 'gold' }).expect(400);
    expect(unknownField.body.error.details).toEqual([expect.objectContaining({ field: 'body.plan' })]);
    const weak = await register({ ...registrationBody('valid-slug'), adminPassword: 'onlyletterspassword' }).expect(400);
    expect(JSON.stringify(weak.body)).not.toContain('onlyletterspassword');
    await register({ ...registrationBody('Bad Slug!') }).expect(400);
    await register({ ...registrationBody('platform') }).expect(400);
    await register({ ...registrationBody('existing') }).expect(409);
    // An admin e-mail that has an account gets the answer a new one gets; the mailbox is told why nothing follows.
    await register({ ...registrationBody('fresh-slug'), adminEmail: otherTenantAdmin.email }).expect(202);
    await stack.smtp.waitFor((m) => m.to.includes(otherTenantAdmin.email) && m.subject === REGISTRATION_ADDRESS_IN_USE_SUBJECT);
    await register({ ...registrationBody('valid-slug'), contactEmail: 'not-an-email' }).expect(400);
    // The company's and its admin's names are printed in mails and the tenant's documents: one line each.
    for (const [field, value] of Object.entries({
      companyName: 'Acme\r\nBcc: x@example.test',
      adminFullName: 'Pat\u2028Admin',
      businessType: 'Insurer\u0007',
    })) {
      const refused = await register({ ...registrationBody('valid-slug'), [field]: value }).expect(400);
      expect(refused.body.error.details).toEqual([expect.objectContaining({ field: `body.${field}` })]);
    }
    expect(await Registration.count()).toBe(before);

    await stack.api.get(`/api/v1/registrations/${crypto.randomUUID()}`).set('Authorization', platformAuth).expect(404);
    await stack.api.get('/api/v1/registrations/not-a-uuid').set('Authorization', platformAuth).expect(400);
    await approve(crypto.randomUUID(), platformAuth).expect(404);
  });

  it('a registration that has expired can no longer be decided', async () => {
    const id = crypto.randomUUID();
    await Registration.create({
      ...registrationBody('lapsed'),
      id,
      adminPasswordHash: TEST_PASSWORD_HASH,
      status: 'expired',
      workflowId: `onboarding-${id}`,
    });
    const late = await approve(id, platformAuth).expect(409);
    expect(late.body.error.message).toContain('expired');
  });

  it('lists registrations for platform admins only, filtered by status and paginated', async () => {
    const pending = await stack.api.get('/api/v1/registrations?status=pending&pageSize=1').set('Authorization', platformAuth).expect(200);
    expect(pending.body.pagination).toMatchObject({ page: 1, pageSize: 1, total: 1, totalPages: 1 });
    expect(pending.body.items[0]).toMatchObject({ requestedSlug: 'southwind', status: 'pending' });
    expect(pending.body.items[0].adminPasswordHash).toBeUndefined();
    const all = await stack.api.get('/api/v1/registrations?ordering=requestedSlug').set('Authorization', platformAuth).expect(200);
    expect(all.body.items.map((r: Registration) => `${r.requestedSlug}:${r.status}`).sort()).toEqual([
      'lapsed:expired',
      'northwind:provisioned',
      'southwind:pending',
      'southwind:rejected',
    ]);
    await stack.api.get('/api/v1/registrations?status=unknown').set('Authorization', platformAuth).expect(400);
    await stack.api.get('/api/v1/registrations').set('Authorization', bearer(stack.config, otherTenantAdmin)).expect(403);
    await stack.api.get('/api/v1/registrations').expect(401);
  });

  it('rate-limits registrations per client', async () => {
    const limited = createApp({
      ...stack.services,
      // Counters live in PostgreSQL and are shared with the file's other tests: this client has an address of its own.
      config: { ...stack.config, trustProxyHops: 1, rateLimit: { ...stack.config.rateLimit, registrationPerHour: 2 } },
    });
    const api = supertest(limited.callback());
    const register = () => api.post('/api/v1/registrations').set('X-Forwarded-For', '203.0.113.77');
    // Invalid bodies count too: the limit applies before validation.
    await register().send({}).expect(400);
    await register().send({}).expect(400);
    const third = await register().send(registrationBody('too-many')).expect(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    expect(third.body.error.code).toBe('rate_limited');
    expect(await Registration.count({ where: { requestedSlug: 'too-many' } })).toBe(0);
  });
});
