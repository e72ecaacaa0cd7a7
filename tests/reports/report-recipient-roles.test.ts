/**
 * A saved report reaches only staff whose role may read its kind (docs/reports.md, Who receives a
 * report), on real servers (PostgreSQL, the Temporal dev server, a worker, the SMTP sink): a
 * recipient whose role is refused the report's GET route is refused at saving (422 naming the
 * address, nothing stored), and one demoted since is skipped at sending, the skip audited. The
 * finance report, and a table that names persons, reach no address outside the staff.
 */
import type { ScheduleHandle } from '@temporalio/client';
import { reportScheduleId } from '../../src/contracts/scheduled-report';
import { AuditEvent, ReportDefinition, ReportRecipientConfirmation, type Tenant, type User } from '../../src/models';
import { mintToken } from '../../src/services/single-use-tokens';
import { DAY_MS, utcDay } from '../../src/shared/time';
import { bearer, buildClaim, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { RECIPIENT_LINK_SUBJECT } from '../support/mailed-tokens';
import { scheduleTrigger } from '../support/report-runs';
import { startTestStack, type TestStack } from '../support/stack';

describe('saved report recipients may read the report', () => {
  let stack: TestStack;
  let triggeredRun: ReturnType<typeof scheduleTrigger>;
  let tenant: Tenant;
  let admin: User;
  let finance: User;
  let colleague: User;
  let adjuster: User;
  const definitions = '/api/v1/reports/definitions';
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const hourlyFinance = (recipients: string[]) => ({ name: 'Hourly finance', kind: 'finance', recipients, schedule: '0 * * * *' });
  /**
   * A definition as the release before stored it: `email` added to its recipients with a link minted for it, followed
   * unless `followed` is false; answers the link's token.
   */
  async function storedBefore(definitionId: string, email: string, followed = true): Promise<string> {
    const definition = await ReportDefinition.findByPk(definitionId, { rejectOnEmpty: true });
    await definition.update({ recipients: [...definition.recipients, email] });
    const { token, tokenHash } = mintToken();
    await ReportRecipientConfirmation.create({
      tenantId: definition.tenantId,
      definitionId,
      email,
      tokenHash,
      expiresAt: new Date(Date.now() + DAY_MS),
      confirmedAt: followed ? new Date() : null,
    });
    return token;
  }

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    triggeredRun = scheduleTrigger(stack.temporal);
    tenant = await buildTenant();
    [admin, finance, colleague, adjuster] = await Promise.all(
      (['tenant_admin', 'finance', 'finance', 'adjuster'] as const).map((role) => buildUser({ tenantId: tenant.id, role })),
    );
  });
  afterAll(() => stack?.close());

  it('refuses at saving a recipient whose role may not read the report, naming it, and stores nothing', async () => {
    // The role rule the saved report would get round: the adjuster may not read the finance figures.
    await stack.api.get('/api/v1/reports/finance').set(as(adjuster)).expect(403);

    const refused = await stack.api
      .post(definitions)
      .set(as(finance))
      .send(hourlyFinance([colleague.email, adjuster.email]))
      .expect(422);
    expect(refused.body.error).toMatchObject({
      code: 'unprocessable',
      message: expect.stringContaining(adjuster.email),
      details: [{ field: 'recipients.1', message: `${adjuster.email} may not read the finance report` }],
    });
    expect(await ReportDefinition.count({ where: { tenantId: tenant.id } })).toBe(0);

    // A definition saved to those who may read it cannot be changed to reach the adjuster either.
    const { body: created } = await stack.api
      .post(definitions)
      .set(as(finance))
      .send(hourlyFinance([colleague.email]))
      .expect(201);
    const changed = await stack.api
      .put(`${definitions}/${created.id}`)
      .set(as(finance))
      .send({ recipients: [adjuster.email, colleague.email] })
      .expect(422);
    expect(changed.body.error.details).toEqual([{ field: 'recipients.0', message: `${adjuster.email} may not read the finance report` }]);
    expect((await ReportDefinition.findByPk(created.id))?.recipients).toEqual([colleague.email]);
  });

  it('skips at sending a recipient demoted since, and audits the skip', async () => {
    const { body: created } = await stack.api
      .post(definitions)
      .set(as(finance))
      .send({ ...hourlyFinance([colleague.email, admin.email]), name: 'Hourly finance to be sent' })
      .expect(201);
    expect(created.recipientStatuses).toEqual([
      { email: colleague.email, status: 'member' },
      { email: admin.email, status: 'member' },
    ]);
    const handle: ScheduleHandle = stack.temporal.schedule.getHandle(reportScheduleId(created.id as string));

    await stack.api.patch(`/api/v1/users/${colleague.id}`).set(as(admin)).send({ role: 'adjuster' }).expect(200);
    const shown = await stack.api.get(`${definitions}/${created.id}`).set(as(finance)).expect(200);
    expect(shown.body.recipientStatuses[0]).toEqual({ email: colleague.email, status: 'not_permitted' });

    const run = await triggeredRun(handle);
    expect(run.outcome).toBe('sent');
    const mail = await stack.smtp.waitFor((m) => m.subject === 'Report: Hourly finance to be sent');
    expect(mail.to).toEqual([admin.email]);
    const [delivery] = await AuditEvent.findAll({ where: { entityId: created.id, action: 'report_definition.deliver' } });
    expect(delivery.changes).toMatchObject({
      recipients: { after: [admin.email] },
      skipped: { after: [{ email: colleague.email, status: 'not_permitted' }] },
      outcome: { after: 'sent' },
    });
  });
  it('sends a finance report to no address outside the staff: refused at saving, and one confirmed before skipped at sending', async () => {
    const outside = 'auditor@example.com';
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const before = await ReportDefinition.count({ where: { tenantId: tenant.id } });
    // An outside address, and a customer of the tenant, confirming by link would be enough for the others; not for the money figures.
    const refused = await stack.api
      .post(definitions)
      .set(as(finance))
      .send({ ...hourlyFinance([admin.email, outside, holder.email]), name: 'Finance outside' })
      .expect(422);
    expect(refused.body.error).toMatchObject({
      code: 'unprocessable',
      details: [
        { field: 'recipients.1', message: `${outside} may not read the finance report` },
        { field: 'recipients.2', message: `${holder.email} may not read the finance report` },
      ],
    });
    expect(await ReportDefinition.count({ where: { tenantId: tenant.id } })).toBe(before);
    expect(await ReportRecipientConfirmation.count({ where: { tenantId: tenant.id } })).toBe(0);
    expect(stack.smtp.messages.filter((m) => m.subject === RECIPIENT_LINK_SUBJECT)).toEqual([]);

    // A definition the release before stored with an outside address that confirmed its link: shown not_permitted, skipped, audited.
    const { body: created } = await stack.api
      .post(definitions)
      .set(as(finance))
      .send({ ...hourlyFinance([admin.email]), name: 'Finance confirmed outside' })
      .expect(201);
    await storedBefore(created.id as string, outside);
    const shown = await stack.api.get(`${definitions}/${created.id}`).set(as(finance)).expect(200);
    expect(shown.body.recipientStatuses).toEqual([
      { email: admin.email, status: 'member' },
      { email: outside, status: 'not_permitted' },
    ]);
    const run = await triggeredRun(stack.temporal.schedule.getHandle(reportScheduleId(created.id as string)));
    expect(run.outcome).toBe('sent');
    const mail = await stack.smtp.waitFor((m) => m.subject === 'Report: Finance confirmed outside');
    expect(mail.to).toEqual([admin.email]);
    const [delivery] = await AuditEvent.findAll({ where: { entityId: created.id, action: 'report_definition.deliver' } });
    expect(delivery.changes).toMatchObject({
      recipients: { after: [admin.email] },
      skipped: { after: [{ email: outside, status: 'not_permitted' }] },
    });

    // Other kinds still reach an outside address once it confirms (report-recipients.test.ts).
    const { body: claims } = await stack.api
      .post(definitions)
      .set(as(admin))
      .send({ name: 'Claims outside', kind: 'claims', recipients: [outside] })
      .expect(201);
    expect(claims.recipientStatuses).toEqual([{ email: outside, status: 'pending' }]);
  });

  it('sends no table naming persons outside the staff: refused at saving, and one confirmed before skipped at sending', async () => {
    const outside = 'broker@example.com';
    // A policy ending within 90 days (the policies report's expiring table) and a claim in an adjuster's hands.
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder', fullName: 'Olga Expiring' });
    const plan = await buildPlan({ tenantId: tenant.id, billingFrequency: 'annual', premium: '365.00', currency: 'EUR' });
    const dayFromNow = (days: number) => utcDay(new Date(Date.now() + days * DAY_MS));
    const policy = await buildSubscription({
      planId: plan.id,
      policyholderId: holder.id,
      startDate: dayFromNow(-335),
      endDate: dayFromNow(30),
    });
    await buildClaim({ tenantId: tenant.id, subscriptionId: policy.id, assigneeId: adjuster.id });
    const csvOf = async (kind: string, parameters: object) =>
      (
        await stack.api
          .get(`/api/v1/reports/${kind}`)
          .query({ ...parameters, format: 'csv' })
          .set(as(admin))
          .expect(200)
      ).text;
    expect(await csvOf('policies', { section: 'expiring' })).toContain(`Olga Expiring,${holder.email}`);
    expect(await csvOf('claims', { groupBy: 'assignee' })).toContain(adjuster.fullName);
    const before = await ReportDefinition.count({ where: { tenantId: tenant.id } });

    const tables = [
      { kind: 'policies', parameters: { section: 'expiring' } },
      { kind: 'claims', parameters: { groupBy: 'assignee' } },
    ];
    for (const { kind, parameters } of tables) {
      const refused = await stack.api
        .post(definitions)
        .set(as(admin))
        .send({ name: `${kind} outside`, kind, parameters, recipients: [admin.email, outside, holder.email] })
        .expect(422);
      expect(refused.body.error).toMatchObject({
        code: 'unprocessable',
        details: [
          { field: 'recipients.1', message: `${outside} may not read the ${kind} report as saved: its table names persons` },
          { field: 'recipients.2', message: `${holder.email} may not read the ${kind} report as saved: its table names persons` },
        ],
      });
    }
    expect(await ReportDefinition.count({ where: { tenantId: tenant.id } })).toBe(before);
    expect(stack.smtp.messages.filter((m) => m.subject === RECIPIENT_LINK_SUBJECT && m.to.includes(outside))).toEqual([]);

    // The same reports' tables of figures still reach an outside address once it confirms (report-recipients.test.ts).
    const { body: figures } = await stack.api
      .post(definitions)
      .set(as(admin))
      .send({ name: 'Policies by month outside', kind: 'policies', recipients: [outside] })
      .expect(201);
    expect(figures.recipientStatuses).toEqual([{ email: outside, status: 'pending' }]);
    // Nor does a change of parameters make a saved definition's confirmed outside address receive a table naming persons.
    const changed = await stack.api
      .put(`${definitions}/${figures.id}`)
      .set(as(admin))
      .send({ parameters: { section: 'expiring' } })
      .expect(422);
    expect(changed.body.error.details).toEqual([
      { field: 'recipients.0', message: `${outside} may not read the policies report as saved: its table names persons` },
    ]);
    expect((await ReportDefinition.findByPk(figures.id))?.parameters).toMatchObject({ section: 'groups' });

    // A definition the release before stored, its outside address confirmed: shown not_permitted, skipped at sending, audited.
    const { body: created } = await stack.api
      .post(definitions)
      .set(as(admin))
      .send({
        name: 'Expiring policies',
        kind: 'policies',
        parameters: { section: 'expiring' },
        recipients: [admin.email],
        schedule: '0 * * * *',
      })
      .expect(201);
    await storedBefore(created.id as string, outside);
    const shown = await stack.api.get(`${definitions}/${created.id}`).set(as(admin)).expect(200);
    expect(shown.body.recipientStatuses).toEqual([
      { email: admin.email, status: 'member' },
      { email: outside, status: 'not_permitted' },
    ]);
    const run = await triggeredRun(stack.temporal.schedule.getHandle(reportScheduleId(created.id as string)));
    expect(run.outcome).toBe('sent');
    const mail = await stack.smtp.waitFor((m) => m.subject === 'Report: Expiring policies');
    expect(mail.to).toEqual([admin.email]);
    expect(mail.attachments[0].content).toContain(`Olga Expiring,${holder.email}`);
    expect(stack.smtp.messages.filter((m) => m.to.includes(outside) && m.subject.startsWith('Report:'))).toEqual([]);
    const [delivery] = await AuditEvent.findAll({ where: { entityId: created.id, action: 'report_definition.deliver' } });
    expect(delivery.changes).toMatchObject({
      recipients: { after: [admin.email] },
      skipped: { after: [{ email: outside, status: 'not_permitted' }] },
    });
  });

  it("judges an address on a staff member's mailbox as that member: refused for a role that may not read, or a leaver; skipped if stored before", async () => {
    const tagged = (user: User, tag: string) => user.email.replace('@', `+${tag}@`);
    const [manager, leaver] = await Promise.all(
      (['claims_manager', 'claims_manager'] as const).map((role) => buildUser({ tenantId: tenant.id, role })),
    );
    await stack.api.patch(`/api/v1/users/${leaver.id}`).set(as(admin)).send({ isActive: false }).expect(200);
    // The adjuster may not read the claims report, which reaches an outside address once it confirms.
    await stack.api.get('/api/v1/reports/claims').set(as(adjuster)).expect(403);
    const before = await ReportDefinition.count({ where: { tenantId: tenant.id } });
    const refusedAddresses = [tagged(adjuster, 'r'), tagged(leaver, 'old')];

    const refused = await stack.api
      .post(definitions)
      .set(as(admin))
      .send({ name: 'Claims to mailboxes', kind: 'claims', recipients: [admin.email, ...refusedAddresses, leaver.email] })
      .expect(422);
    expect(refused.body.error).toMatchObject({
      code: 'unprocessable',
      details: [
        { field: 'recipients.1', message: `${refusedAddresses[0]} may not read the claims report` },
        { field: 'recipients.2', message: `${refusedAddresses[1]} may not read the claims report` },
      ],
    });
    expect(await ReportDefinition.count({ where: { tenantId: tenant.id } })).toBe(before);
    expect(await ReportRecipientConfirmation.count({ where: { email: refusedAddresses } })).toBe(0);
    expect(stack.smtp.messages.filter((m) => refusedAddresses.some((a) => m.to.includes(a)))).toEqual([]);

    // A sub-address of a member who may read it is theirs, as their own address is: no link; the leaver's own address stays inactive.
    const { body: created } = await stack.api
      .post(definitions)
      .set(as(admin))
      .send({
        name: 'Claims to the manager',
        kind: 'claims',
        recipients: [tagged(manager, 'reports'), leaver.email],
        schedule: '0 * * * *',
      })
      .expect(201);
    expect(created.recipientStatuses).toEqual([
      { email: tagged(manager, 'reports'), status: 'member' },
      { email: leaver.email, status: 'inactive' },
    ]);

    // Stored before with the adjuster's sub-address confirmed: shown not_permitted, skipped at sending, audited.
    await storedBefore(created.id as string, refusedAddresses[0]);
    const shown = await stack.api.get(`${definitions}/${created.id}`).set(as(admin)).expect(200);
    expect(shown.body.recipientStatuses[2]).toEqual({ email: refusedAddresses[0], status: 'not_permitted' });
    const run = await triggeredRun(stack.temporal.schedule.getHandle(reportScheduleId(created.id as string)));
    expect(run.outcome).toBe('sent');
    const mail = await stack.smtp.waitFor((m) => m.subject === 'Report: Claims to the manager');
    expect(mail.to).toEqual([tagged(manager, 'reports')]);
    expect(stack.smtp.messages.filter((m) => refusedAddresses.some((a) => m.to.includes(a)))).toEqual([]);
    const [delivery] = await AuditEvent.findAll({ where: { entityId: created.id, action: 'report_definition.deliver' } });
    expect(delivery.changes).toMatchObject({
      recipients: { after: [tagged(manager, 'reports')] },
      skipped: {
        after: [
          { email: leaver.email, status: 'inactive' },
          { email: refusedAddresses[0], status: 'not_permitted' },
        ],
      },
    });
  });
  it('refuses (409) a link minted before the rules to an address that may not receive the report, and records nothing', async () => {
    const tagged = (user: User, tag: string) => user.email.replace('@', `+${tag}@`);
    const leaver = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    await stack.api.patch(`/api/v1/users/${leaver.id}`).set(as(admin)).send({ isActive: false }).expect(200);
    const saved = async (name: string, kind: string, parameters: object = {}) =>
      (
        await stack.api
          .post(definitions)
          .set(as(admin))
          .send({ name, kind, parameters, recipients: [admin.email] })
          .expect(201)
      ).body.id as string;
    const claims = await saved('Claims with old links', 'claims');
    const expiring = await saved('Expiring with an old link', 'policies', { section: 'expiring' });
    // Links the release before minted: to the adjuster's mailbox (may not read claims), a leaver's, and an outside address
    // for a table that names persons; and one to an outside address on the claims report, which may still confirm.
    const refused = [
      { definitionId: claims, email: tagged(adjuster, 'link') },
      { definitionId: claims, email: tagged(leaver, 'link') },
      { definitionId: expiring, email: 'broker+old@example.com' },
    ];
    const tokens = [];
    for (const { definitionId, email } of refused) tokens.push(await storedBefore(definitionId, email, false));
    const permitted = await storedBefore(claims, 'auditor+old@example.com', false);

    for (const [n, { definitionId, email }] of refused.entries()) {
      const res = await stack.api.post('/api/v1/reports/recipients/confirm').send({ token: tokens[n] });
      expect({ email, status: res.status, code: res.body.error?.code }).toEqual({ email, status: 409, code: 'recipient_not_permitted' });
      expect(res.body.error.message).toContain(email);
      const link = await ReportRecipientConfirmation.findOne({ where: { definitionId, email }, rejectOnEmpty: true });
      expect(link.confirmedAt).toBeNull();
    }
    const confirmed = await stack.api.post('/api/v1/reports/recipients/confirm').send({ token: permitted }).expect(200);
    expect(confirmed.body).toEqual({ email: 'auditor+old@example.com', reportName: 'Claims with old links' });

    // Nothing recorded for the refused: no confirmation audited, each still not_permitted, the other confirmed.
    const audited = await AuditEvent.findAll({ where: { entityId: [claims, expiring], action: 'report_definition.recipient_confirm' } });
    expect(audited).toHaveLength(1);
    expect(audited[0].changes).toMatchObject({ email: { after: 'auditor+old@example.com' } });
    const shown = async (id: string) => (await stack.api.get(`${definitions}/${id}`).set(as(admin)).expect(200)).body.recipientStatuses;
    expect(await shown(claims)).toEqual([
      { email: admin.email, status: 'member' },
      { email: refused[0].email, status: 'not_permitted' },
      { email: refused[1].email, status: 'not_permitted' },
      { email: 'auditor+old@example.com', status: 'confirmed' },
    ]);
    expect(await shown(expiring)).toEqual([
      { email: admin.email, status: 'member' },
      { email: refused[2].email, status: 'not_permitted' },
    ]);
  });
});
