/**
 * A saved report reaches only staff whose role may read its kind (docs/reports.md, Who receives a
 * report), on real servers (PostgreSQL, the Temporal dev server, a worker, the SMTP sink): a
 * recipient whose role is refused the report's GET route is refused at saving (422 naming the
 * address, nothing stored), and one demoted since is skipped at sending, the skip audited.
 */
import type { ScheduleHandle } from '@temporalio/client';
import { reportScheduleId } from '../../src/contracts/scheduled-report';
import { AuditEvent, ReportDefinition, type Tenant, type User } from '../../src/models';
import { bearer, buildTenant, buildUser } from '../support/factories';
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
});
