/**
 * The audit trail on real servers: a claim's story as GET /audit-events tells it (filed by the
 * API, assigned and moved by the users who asked, paid by the workflow), catalog, user and
 * settings changes, who may read it, and that nobody can change it.
 */
import { AuditEvent, Claim, User } from '../../src/models';
import { bearer, buildSubscription, buildUser, signedInBearer } from '../support/factories';
import { mailedToken, VERIFY_ACCOUNT_SUBJECT } from '../support/mailed-tokens';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';
import { ClaimsTeam, createClaimsTeam } from '../claims/fixtures';

interface EventBody {
  actor: { type: string; id: string | null };
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  requestId: string | null;
  workflowId: string | null;
  runId: string | null;
}

describe('audit trail: GET /audit-events', () => {
  const stack = testStackOfBlock({ worker: true });
  let team: ClaimsTeam;
  let admin: User;
  let officer: User;

  beforeAll(async () => {
    team = await createClaimsTeam();
    [admin, officer] = await Promise.all([
      buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: team.tenant.id, role: 'compliance_officer' }),
    ]);
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const events = async (user: User, query: string) =>
    (await stack.api.get(`/api/v1/audit-events?${query}`).set(as(user)).expect(200)).body as {
      items: EventBody[];
      pagination: { total: number };
    };

  it("tells a claim's story in order: filed, assigned, each transition by its user, paid by the workflow", async () => {
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    const filed = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send({
        subscriptionId: subscription.id,
        incidentDate: subscription.startDate,
        amountClaimed: 4000,
        description: 'Burst pipe flooded the kitchen',
      })
      .expect(201);
    const claimId = filed.body.id as string;
    await stack.api.post(`/api/v1/claims/${claimId}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);
    await stack.api.post(`/api/v1/claims/${claimId}/notes`).set(as(team.adjuster)).send({ body: 'Called the plumber' }).expect(201);
    for (const to of ['under_review', 'waiting_approval'])
      await stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(team.adjuster)).send({ to }).expect(200);
    await stack.api
      .post(`/api/v1/claims/${claimId}/transitions`)
      .set(as(team.adjuster))
      .send({ to: 'approved', approvedAmount: 3500, note: 'Invoice minus excess' })
      .expect(200);
    await eventually(
      () => Claim.findByPk(claimId),
      (c) => c?.status === 'closed',
      'claim closed',
    );

    const story = await events(officer, `entityType=claim&entityId=${claimId}`);
    const workflowId = filed.body.workflow.workflowId as string;
    const workflowActor = { type: 'workflow', id: workflowId };
    expect(story.items.map((e) => [e.action, e.actor, e.changes.status?.after ?? null])).toEqual([
      ['claim.file', { type: 'user', id: team.claimant.id }, 'reported'],
      ['claim.assign', { type: 'user', id: team.manager.id }, 'assigned'],
      // The run reserves the amount claimed at the first assignment; the settlement is paid out of it, and the
      // closing releases what is left.
      ['claim.reserve_applied', workflowActor, null],
      ['claim.note_add', { type: 'user', id: team.adjuster.id }, null],
      ['claim.transition', { type: 'user', id: team.adjuster.id }, 'under_review'],
      ['claim.transition', { type: 'user', id: team.adjuster.id }, 'waiting_approval'],
      ['claim.transition', { type: 'user', id: team.adjuster.id }, 'approved'],
      ['claim.transition', workflowActor, 'payment_processing'],
      ['claim.payment', workflowActor, null],
      ['claim.reserve_payment', workflowActor, null],
      ['claim.transition', workflowActor, 'paid'],
      ['claim.reserve_released', workflowActor, null],
      ['claim.transition', workflowActor, 'closed'],
    ]);
    expect(story.items[0]).toMatchObject({ requestId: expect.any(String), workflowId: null });
    expect(story.items[1]).toMatchObject({
      workflowId,
      runId: filed.body.workflow.runId,
      changes: { assigneeId: { before: null, after: team.adjuster.id } },
    });
    expect(story.items[6].changes).toMatchObject({
      amountApproved: { before: null, after: '3500.00' },
      note: { before: null, after: 'Invoice minus excess' },
    });
    expect(story.items[8].changes.payment.after).toMatchObject({ amount: '3500.00', reference: `PAY-${filed.body.claimNumber}` });

    // The tenant admin reads the same; other roles may not; another tenant sees nothing of it.
    expect((await events(admin, `entityId=${claimId}`)).pagination.total).toBe(13);
    await stack.api.get(`/api/v1/audit-events?entityId=${claimId}`).set(as(team.manager)).expect(403);
    const stranger = await buildUser({ role: 'tenant_admin' });
    expect((await events(stranger, `entityId=${claimId}`)).items).toEqual([]);

    const byAdjuster = await events(officer, `actorId=${team.adjuster.id}&action=claim.transition&ordering=-occurredAt&pageSize=2`);
    expect(byAdjuster.pagination.total).toBe(3);
    expect(byAdjuster.items.map((e) => e.changes.status.after)).toEqual(['approved', 'waiting_approval']);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await events(officer, `entityId=${claimId}&from=${future}`)).pagination.total).toBe(0);
    expect((await events(officer, `entityId=${claimId}&to=${future}`)).pagination.total).toBe(13);
  });

  it('records catalog, user and settings changes by the admin who made them, never a secret or a hash', async () => {
    const category = await stack.api.post('/api/v1/categories').set(as(admin)).send({ name: 'Boats' }).expect(201);
    const plan = await stack.api
      .post('/api/v1/plans')
      .set(as(admin))
      .send({
        categoryId: category.body.id,
        name: 'Boat basic',
        coverageLevel: 'basic',
        coverageAmount: 20000,
        premium: 120,
        durationMonths: 6,
      })
      .expect(201);
    await stack.api.put(`/api/v1/plans/${plan.body.id}`).set(as(admin)).send({ premium: 130 }).expect(200);
    await stack.api.delete(`/api/v1/plans/${plan.body.id}`).set(as(admin)).expect(204);
    await stack.api.put(`/api/v1/categories/${category.body.id}`).set(as(admin)).send({ name: 'Boats and yachts' }).expect(200);
    await stack.api.delete(`/api/v1/categories/${category.body.id}`).set(as(admin)).expect(204);

    await stack.api
      .post('/api/v1/users')
      .set(as(admin))
      .send({ email: 'new.agent@example.test', fullName: 'New Agent', role: 'claims_agent', password: 'Secret-pass-1' })
      .expect(202);
    await mailedToken(stack.smtp, 'new.agent@example.test', VERIFY_ACCOUNT_SUBJECT);
    const agent = (await User.findOne({ where: { email: 'new.agent@example.test' } }))!;
    await stack.api.patch(`/api/v1/users/${agent.id}`).set(as(admin)).send({ role: 'adjuster' }).expect(200);
    await stack.api.patch(`/api/v1/users/${agent.id}`).set(as(admin)).send({ isActive: false }).expect(200);
    await stack.api
      .post('/api/v1/auth/register')
      .send({ tenantSlug: team.tenant.slug, email: 'self@example.test', password: 'Self-pass-1', fullName: 'Sam Self' })
      .expect(202);
    await stack.api
      .post('/api/v1/auth/verify-email')
      .send({ token: await mailedToken(stack.smtp, 'self@example.test', VERIFY_ACCOUNT_SUBJECT) })
      .expect(204);
    const registered = (await User.findOne({ where: { email: 'self@example.test' } }))!;
    const selfEvents = await events(admin, `entityId=${registered.id}&ordering=occurredAt`);
    expect(selfEvents.items).toEqual([
      expect.objectContaining({ action: 'user.register', actor: { type: 'user', id: registered.id } }),
      expect.objectContaining({ action: 'user.verify_email', actor: { type: 'user', id: registered.id } }),
    ]);
    await stack.api
      .put('/api/v1/tenant/settings')
      .set({ Authorization: signedInBearer(stack.config, admin) })
      .send({ claimUnassignedEscalationHours: 12, complianceWebhookSecret: 'whsec-very-secret-value-1234' })
      .expect(200);

    const mine = await events(admin, `actorId=${admin.id}&pageSize=100`);
    expect(mine.items.map((e) => e.action)).toEqual([
      'category.create',
      'plan.create',
      'plan.update',
      'plan.delete',
      'category.update',
      'category.delete',
      'user.create',
      'user.role_change',
      'user.deactivate',
      'tenant_settings.update',
    ]);
    const byAction = Object.fromEntries(mine.items.map((e) => [e.action, e]));
    expect(byAction['plan.update'].changes).toEqual({ premium: { before: '120.00', after: '130.00' } });
    expect(byAction['user.role_change'].changes).toEqual({ role: { before: 'claims_agent', after: 'adjuster' } });
    expect(byAction['tenant_settings.update'].changes).toEqual({ claimUnassignedEscalationHours: { before: 24, after: 12 } });
    const stored = JSON.stringify(await AuditEvent.findAll({ where: { tenantId: team.tenant.id } }));
    expect(stored).not.toMatch(/Secret-pass-1|Self-pass-1|whsec-very-secret|argon2|passwordHash/);
  });

  it('never lets a change commit without its event: a failing event write rolls the change back', async () => {
    const category = await stack.api.post('/api/v1/categories').set(as(admin)).send({ name: 'Gardens' }).expect(201);
    // The database refuses this one action's event, as if the write of the event failed.
    await stack.db.sequelize.query("ALTER TABLE audit_events ADD CONSTRAINT refuse_for_test CHECK (action <> 'category.update') NOT VALID");
    try {
      const res = await stack.api.put(`/api/v1/categories/${category.body.id}`).set(as(admin)).send({ name: 'Gardens and sheds' });
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.body.error.message).not.toMatch(/refuse_for_test|audit_events/);
    } finally {
      await stack.db.sequelize.query('ALTER TABLE audit_events DROP CONSTRAINT refuse_for_test');
    }
    const shown = await stack.api.get(`/api/v1/categories/${category.body.id}`).set(as(admin)).expect(200);
    expect(shown.body.name).toBe('Gardens');
    expect(await AuditEvent.count({ where: { entityId: category.body.id, action: 'category.update' } })).toBe(0);
  });

  it('is described in the OpenAPI document with its filters', async () => {
    const doc = await stack.api.get('/api/openapi.json').expect(200);
    const names = doc.body.paths['/api/v1/audit-events'].get.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['entityType', 'entityId', 'actorId', 'action', 'from', 'to', 'page', 'pageSize']));
    expect(doc.body.paths['/api/v1/audit-events'].delete).toBeUndefined();
  });

  it('is append-only: no route changes it and the database refuses UPDATE and DELETE', async () => {
    await stack.api.delete('/api/v1/audit-events').set(as(admin)).expect(405);
    await stack.api.post('/api/v1/audit-events').set(as(admin)).send({ action: 'claim.file' }).expect(405);
    const before = await AuditEvent.count();
    await expect(stack.db.sequelize.query("UPDATE audit_events SET action = 'forged'")).rejects.toThrow(/append-only/);
    await expect(stack.db.sequelize.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    await expect(stack.db.sequelize.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    expect(await AuditEvent.count()).toBe(before);
    expect(await AuditEvent.count({ where: { action: 'forged' } })).toBe(0);
  });

  it('refuses malformed filters with 400 and shows platform admins only platform events', async () => {
    for (const query of [
      'from=yesterday',
      'pageSize=101',
      'action=DROP%20TABLE',
      'entityId=' + 'x'.repeat(256),
      'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      // A day not in the calendar, which was read as another one (2026-02-30 as 2 March).
      'from=2026-02-30',
      'to=2026-04-31T10:00:00Z',
      // Years PostgreSQL's timestamps do not have (the query failed with 500), and an expanded year around the calendar.
      'from=0000-01-01',
      'to=-000001-01-01T00:00:00Z',
      'from=%2B002026-02-30',
      'tenantId=x',
    ]) {
      const res = await stack.api.get(`/api/v1/audit-events?${query}`).set(as(admin)).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const platformAdmin = await buildUser({ role: 'platform_admin' });
    const login = await stack.api.post('/api/v1/auth/login').send({ email: platformAdmin.email, password: 'Password123' }).expect(200);
    await stack.api
      .post('/api/v1/auth/password')
      .set('Authorization', `Bearer ${login.body.tokens.accessToken}`)
      .send({ currentPassword: 'Password123', newPassword: 'Platform-pass-9' })
      .expect(200);
    await platformAdmin.reload();
    const platform = await events(platformAdmin, 'pageSize=100');
    expect(platform.items.length).toBeGreaterThan(0);
    // Their own sign-in and password change: nothing of a tenant's.
    expect(new Set(platform.items.map((e) => e.action))).toEqual(new Set(['auth.sign_in', 'user.password_change']));
    expect(platform.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ entityId: platformAdmin.id, actor: { type: 'user', id: platformAdmin.id } })]),
    );
  });
});
