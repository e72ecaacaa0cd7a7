/**
 * Tenant suspension through the real API, PostgreSQL and SMTP sink: a platform admin suspends a
 * tenant (its users are refused with 403 tenant_suspended at login and on every request, its
 * catalog is 404, the e-mails of its runs are recorded and not sent) and reactivates it (the
 * sessions its users had work again).
 */
import { createNotificationActivities } from '../../src/activities/notifications';
import { AuditEvent, Notification, Tenant, User } from '../../src/models';
import { bearer, buildPlan, buildTenant, buildUser, TEST_PASSWORD } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

const SUSPENDED_SUBJECT = 'Your company is suspended on Insurflow';
const REACTIVATED_SUBJECT = 'Your company is active again on Insurflow';

describe('tenant suspension: /tenants/:id/suspend and /reactivate', () => {
  const stack = testStackOfBlock();
  let platformAdmin: User;
  let platformAuth: string;

  beforeAll(async () => {
    platformAdmin = await buildUser({ role: 'platform_admin' });
    platformAuth = bearer(stack.config, platformAdmin);
  });

  const login = (email: string) => stack.api.post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD });
  const suspend = (tenantId: string, body: object = { reason: 'Unpaid platform invoices since March' }) =>
    stack.api.post(`/api/v1/tenants/${tenantId}/suspend`).set('Authorization', platformAuth).send(body);
  const reactivate = (tenantId: string) => stack.api.post(`/api/v1/tenants/${tenantId}/reactivate`).set('Authorization', platformAuth);

  it("locks the tenant's users out with 403 tenant_suspended, hides its catalog, and lets the same sessions back in on reactivation", async () => {
    const tenant = await buildTenant();
    await buildPlan({ tenantId: tenant.id });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const bystander = await buildUser({ role: 'adjuster' });
    const session = (await login(adjuster.email).expect(200)).body.tokens;
    const auth = `Bearer ${session.accessToken}`;
    await stack.api.get('/api/v1/auth/me').set('Authorization', auth).expect(200);
    await stack.api.get(`/api/v1/catalog/${tenant.slug}/plans`).expect(200);

    const suspended = await suspend(tenant.id).expect(200);
    expect(suspended.body).toMatchObject({
      id: tenant.id,
      status: 'suspended',
      suspensionReason: 'Unpaid platform invoices since March',
      suspendedAt: expect.any(String),
    });

    // At once in this process: the cached authority of the tenant's users is forgotten.
    const refused = await stack.api.get('/api/v1/auth/me').set('Authorization', auth).expect(403);
    expect(refused.body.error.code).toBe('tenant_suspended');
    expect((await login(adjuster.email).expect(403)).body.error.code).toBe('tenant_suspended');
    // Only to whoever knows the password: a wrong one is the usual 401.
    await stack.api.post('/api/v1/auth/login').send({ email: adjuster.email, password: 'Wrong-password-1' }).expect(401);
    const refresh = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken }).expect(403);
    expect(refresh.body.error.code).toBe('tenant_suspended');
    await stack.api.get(`/api/v1/catalog/${tenant.slug}/plans`).expect(404);
    await stack.api.get(`/api/v1/catalog/${tenant.slug}/categories`).expect(404);
    // Other tenants are untouched.
    await login(bystander.email).expect(200);

    const suspendedMail = await stack.smtp.waitFor((m) => m.to.includes(admin.email) && m.subject === SUSPENDED_SUBJECT);
    expect(suspendedMail.text).toContain('Unpaid platform invoices since March');
    expect(stack.smtp.messages.filter((m) => m.subject === SUSPENDED_SUBJECT).map((m) => m.to)).toEqual([[admin.email]]);

    const reactivated = await reactivate(tenant.id).expect(200);
    expect(reactivated.body).toMatchObject({ status: 'active', suspensionReason: null, suspendedAt: null });
    // The session from before the suspension works again, its refresh token included.
    await stack.api.get('/api/v1/auth/me').set('Authorization', auth).expect(200);
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken }).expect(200);
    await login(adjuster.email).expect(200);
    await stack.api.get(`/api/v1/catalog/${tenant.slug}/plans`).expect(200);
    await stack.smtp.waitFor((m) => m.to.includes(admin.email) && m.subject === REACTIVATED_SUBJECT);

    const events = await AuditEvent.findAll({ where: { entityId: tenant.id }, order: [['occurredAt', 'ASC']] });
    expect(events.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({
        action: 'tenant.suspend',
        actor: { type: 'user', id: platformAdmin.id },
        tenantId: tenant.id,
        changes: expect.objectContaining({
          status: { before: 'active', after: 'suspended' },
          suspensionReason: { before: null, after: 'Unpaid platform invoices since March' },
        }),
      }),
      expect.objectContaining({
        action: 'tenant.reactivate',
        actor: { type: 'user', id: platformAdmin.id },
        changes: expect.objectContaining({ status: { before: 'suspended', after: 'active' } }),
      }),
    ]);
  });

  it('answers 409 to suspending a suspended tenant or reactivating an active one, and changes nothing', async () => {
    const tenant = await buildTenant();
    await suspend(tenant.id, { reason: 'First reason' }).expect(200);
    const again = await suspend(tenant.id, { reason: 'Second reason' }).expect(409);
    expect(again.body.error.code).toBe('conflict');
    expect(await Tenant.findByPk(tenant.id)).toMatchObject({ status: 'suspended', suspensionReason: 'First reason' });
    await reactivate(tenant.id).expect(200);
    await reactivate(tenant.id).expect(409);
    expect(await AuditEvent.count({ where: { entityId: tenant.id } })).toBe(2);
  });

  it('suspends once for two requests at once', async () => {
    const tenant = await buildTenant();
    const answers = await Promise.all([suspend(tenant.id), suspend(tenant.id)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(await AuditEvent.count({ where: { entityId: tenant.id, action: 'tenant.suspend' } })).toBe(1);
  });

  it('refuses other roles with 403, an unknown tenant with 404 and a bad reason with 400, changing nothing', async () => {
    const tenant = await buildTenant();
    const tenantAdmin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    await stack.api
      .post(`/api/v1/tenants/${tenant.id}/suspend`)
      .set('Authorization', bearer(stack.config, tenantAdmin))
      .send({ reason: 'My own company' })
      .expect(403);
    await stack.api.post(`/api/v1/tenants/${tenant.id}/reactivate`).set('Authorization', bearer(stack.config, tenantAdmin)).expect(403);
    await suspend('7d1c1f1e-8b8a-4c6e-9d7e-2f1b3a4c5d6e').expect(404);
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }, { reason: 'ok', status: 'active' }]) {
      await suspend(tenant.id, body).expect(400);
    }
    await stack.api.post('/api/v1/tenants/not-a-uuid/suspend').set('Authorization', platformAuth).send({ reason: 'x' }).expect(400);
    expect(await Tenant.findByPk(tenant.id)).toMatchObject({ status: 'active', suspendedAt: null });
    expect(await AuditEvent.count({ where: { entityId: tenant.id } })).toBe(0);
  });

  it("records the e-mails of a suspended tenant's runs as suppressed and sends none; after reactivation they go out again", async () => {
    const tenant = await buildTenant();
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const { sendEmail } = createNotificationActivities(stack.deps);
    const mail = (key: string) => ({
      idempotencyKey: `suspension-test-${tenant.id}:${key}`,
      tenantId: tenant.id,
      to: { userIds: [holder.id] },
      subject: `Renewal reminder ${key}`,
      text: 'Your policy renews soon',
    });
    await suspend(tenant.id).expect(200);

    const whileSuspended = await sendEmail(mail('during'));
    expect(whileSuspended.status).toBe('suppressed');
    // A retry of the same activity stays suppressed, even once the tenant is back.
    await reactivate(tenant.id).expect(200);
    expect((await sendEmail(mail('during'))).status).toBe('suppressed');
    expect(await Notification.findOne({ where: { idempotencyKey: mail('during').idempotencyKey } })).toMatchObject({
      status: 'suppressed',
      attempts: 0,
      sentAt: null,
    });

    expect((await sendEmail(mail('after'))).status).toBe('sent');
    await stack.smtp.waitFor((m) => m.subject === 'Renewal reminder after');
    expect(stack.smtp.messages.filter((m) => m.subject === 'Renewal reminder during')).toEqual([]);
  });
});
