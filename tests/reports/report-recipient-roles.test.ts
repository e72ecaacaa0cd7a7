/**
 * A saved report reaches only staff whose role may read its kind (docs/reports.md, Who receives a
 * report), on real servers (PostgreSQL, the Temporal dev server, a worker, the SMTP sink): a
 * recipient whose role is refused the report's GET route is refused at saving (422 naming the
 * address, nothing stored), and one demoted since is skipped at sending, the skip audited.
 */
import type { ScheduleHandle } from '@temporalio/client';
import { reportScheduleId } from '../../src/contracts/scheduled-report';
import { AuditEvent, ReportDefinition, ReportRecipientConfirmation, type Tenant, type User } from '../../src/models';
import { bearer, buildTenant, buildUser } from '../support/factories';
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
    await ReportDefinition.update({ recipients: [admin.email, outside] }, { where: { id: created.id } });
    await ReportRecipientConfirmation.create({
      tenantId: tenant.id,
      definitionId: created.id,
      email: outside,
      tokenHash: 'f'.repeat(64),
      expiresAt: new Date(Date.now() + 60_000),
      confirmedAt: new Date(),
    });
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
});
