/**
 * Scheduled reports cannot carry a tenant's data out (docs/reports.md, Who receives a report,
 * Owner, Quota), on real servers (PostgreSQL, the Temporal dev server, a worker, the SMTP sink):
 * an address outside the staff receives a link and nothing of the report until it follows it;
 * every delivery is audited with its owner, report, recipients and rows; a definition whose owner
 * is deactivated or loses the role is paused with the change, and by its next run should the
 * change bypass the command, until a tenant admin hands it over; a tenant keeps at most its quota
 * of scheduled definitions, however many requests race.
 */
import crypto from 'node:crypto';
import type { ScheduleHandle } from '@temporalio/client';
import { Op } from 'sequelize';
import { commandDepsOf } from '../../src/api/http/command-deps';
import { relayOnce } from '../../src/api/temporal/outbox';
import { reportScheduleId } from '../../src/contracts/scheduled-report';
import { updateUser } from '../../src/domain/users/commands';
import { AuditEvent, OutboxMessage, ReportDefinition, ReportRecipientConfirmation, User } from '../../src/models';
import { idFromRequest } from '../../src/shared/deterministic-id';
import { bearer, buildClaim, buildTenant, buildUser } from '../support/factories';
import { RECIPIENT_LINK_SUBJECT, tokenIn } from '../support/mailed-tokens';
import { scheduleTrigger } from '../support/report-runs';
import type { ReceivedMail } from '../support/smtp-sink';
import { withoutPresence } from '../support/sessions';
import { startTestStack, TestStack } from '../support/stack';
import { waitUntil } from '../support/waiting';

describe('scheduled reports cannot exfiltrate data', () => {
  let stack: TestStack;
  let triggeredRun: ReturnType<typeof scheduleTrigger>;
  const definitions = '/api/v1/reports/definitions';
  const confirmUrl = '/api/v1/reports/recipients/confirm';
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  let names = 0;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    triggeredRun = scheduleTrigger(stack.temporal);
  });
  afterAll(() => stack?.close());

  /** A company of its own per test, with a claim filed today so its claims report has a row to send. */
  async function company() {
    const tenant = await buildTenant();
    const [admin, manager, reader, adjuster] = await Promise.all(
      (['tenant_admin', 'claims_manager', 'claims_manager', 'adjuster'] as const).map((role) => buildUser({ tenantId: tenant.id, role })),
    );
    await buildClaim({ tenantId: tenant.id, amountClaimed: '1200.00' });
    return { tenant, admin, manager, reader, adjuster };
  }

  /** Saves a scheduled claims definition as `user`; answers its body and its Temporal Schedule. */
  async function scheduled(user: User, recipients: string[], extra: object = {}) {
    const name = `Daily claims ${++names}`;
    const body = { name, kind: 'claims', recipients, schedule: '0 7 * * *', ...extra };
    const { body: created } = await stack.api.post(definitions).set(as(user)).send(body).expect(201);
    return { created, name, handle: stack.temporal.schedule.getHandle(reportScheduleId(created.id as string)) };
  }

  const reportMails = (name: string) => stack.smtp.messages.filter((m) => m.subject === `Report: ${name}`);
  const linkMailsTo = (email: string) => stack.smtp.messages.filter((m) => m.subject === RECIPIENT_LINK_SUBJECT && m.to.includes(email));
  const paused = async (handle: ScheduleHandle) => (await handle.describe()).state.paused;
  /**
   * Whether the schedule is paused once the outbox relay has had its turn: a user change pauses
   * its owner's schedules through the outbox, at once when Temporal takes it, else by the relay
   * every API process runs each second (the test stack runs none of its own).
   */
  const pausedOnceRelayed = async (handle: ScheduleHandle) => {
    await relayOnce(stack.services);
    return paused(handle);
  };
  const eventsOf = (entityId: string, action: string) => AuditEvent.findAll({ where: { entityId, action }, order: [['id', 'ASC']] });

  it('an address outside the staff gets a link and nothing of the report until it follows it; a deactivated colleague gets neither', async () => {
    const { tenant, admin, reader } = await company();
    const customer = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const leaver = await buildUser({ tenantId: tenant.id, role: 'claims_agent', isActive: false });
    const outside = 'inbox@attacker.example';
    const { created, name, handle } = await scheduled(admin, [outside, reader.email, customer.email, leaver.email]);
    expect(created.recipientStatuses).toEqual([
      { email: outside, status: 'pending' },
      { email: reader.email, status: 'member' },
      // A customer of the tenant is outside the company: it confirms like anyone else.
      { email: customer.email, status: 'pending' },
      { email: leaver.email, status: 'inactive' },
    ]);
    const link = await stack.smtp.waitFor((m) => m.subject === RECIPIENT_LINK_SUBJECT && m.to.includes(outside));
    expect(link.attachments).toEqual([]);
    expect(link.text).toContain(name);
    expect(linkMailsTo(leaver.email)).toEqual([]);
    // Only the hash of the link is stored.
    const stored = await ReportRecipientConfirmation.findOne({ where: { definitionId: created.id, email: outside } });
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.tokenHash).not.toBe(tokenIn(link));

    // The attack: before the link is followed, the report reaches the staff member alone.
    const first = await triggeredRun(handle);
    expect(first.outcome).toBe('sent');
    const report = await stack.smtp.waitFor((m) => m.subject === `Report: ${name}`);
    expect(report.to).toEqual([reader.email]);
    const csv = await stack.api.get(`${definitions}/${created.id}/run`).query({ format: 'csv' }).set(as(admin)).expect(200);
    // Every delivery is audited: who (the owner), what, to whom, whom it skipped, how many rows.
    const [delivery] = await eventsOf(created.id, 'report_definition.deliver');
    expect(delivery.toJSON()).toMatchObject({
      tenantId: tenant.id,
      actor: { type: 'user', id: admin.id },
      workflowId: first.workflowId,
      changes: {
        name: { after: name },
        kind: { after: 'claims' },
        recipients: { after: [reader.email] },
        skipped: {
          after: [
            { email: outside, status: 'pending' },
            { email: customer.email, status: 'pending' },
            { email: leaver.email, status: 'inactive' },
          ],
        },
        rowCount: { after: csv.text.trim().split('\n').length - 1 },
        outcome: { after: 'sent' },
      },
    });
    expect(delivery.changes.rowCount.after).toBeGreaterThan(0);

    // Followed once, the link lets the address receive the report from the next delivery on.
    const confirmed = await stack.api
      .post(confirmUrl)
      .send({ token: tokenIn(link) })
      .expect(200);
    expect(confirmed.body).toEqual({ email: outside, reportName: name });
    const again = await stack.api
      .post(confirmUrl)
      .send({ token: tokenIn(link) })
      .expect(400);
    expect(again.body.error.code).toBe('verification_token_used');
    const shown = await stack.api.get(`${definitions}/${created.id}`).set(as(admin)).expect(200);
    expect(shown.body.recipientStatuses[0]).toEqual({ email: outside, status: 'confirmed' });
    expect((await eventsOf(created.id, 'report_definition.recipient_confirm')).map((e) => e.changes.email.after)).toEqual([outside]);
    expect((await triggeredRun(handle)).outcome).toBe('sent');
    await waitUntil(() => reportMails(name).length === 2, 'the second report');
    expect(reportMails(name)[1].to.sort()).toEqual([reader.email, outside].sort());
    expect(reportMails(name).some((m) => m.to.includes(leaver.email) || m.to.includes(customer.email))).toBe(false);

    // Removed and listed again, the address confirms again: nothing reaches it meanwhile.
    await stack.api
      .put(`${definitions}/${created.id}`)
      .set(as(admin))
      .send({ recipients: [reader.email] })
      .expect(200);
    const relisted = await stack.api
      .put(`${definitions}/${created.id}`)
      .set(as(admin))
      .send({ recipients: [reader.email, outside] })
      .expect(200);
    expect(relisted.body.recipientStatuses[1]).toEqual({ email: outside, status: 'pending' });
    await waitUntil(() => linkMailsTo(outside).length === 2, 'a new link');
  });

  it('refuses a link that is unknown, expired, oversized or of an address no longer listed, and changes nothing', async () => {
    const { admin, reader } = await company();
    const { created } = await scheduled(admin, ['late@partner.example', 'dropped@partner.example']);
    const late = await stack.smtp.waitFor(
      (m: ReceivedMail) => m.subject === RECIPIENT_LINK_SUBJECT && m.to.includes('late@partner.example'),
    );
    const dropped = await stack.smtp.waitFor((m) => m.subject === RECIPIENT_LINK_SUBJECT && m.to.includes('dropped@partner.example'));
    await stack.api
      .put(`${definitions}/${created.id}`)
      .set(as(admin))
      .send({ recipients: ['late@partner.example', reader.email] })
      .expect(200);
    await ReportRecipientConfirmation.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { email: 'late@partner.example' } });

    const refusals: Array<[object, number, string]> = [
      [{ token: 'A'.repeat(43) }, 400, 'verification_token_invalid'],
      [{ token: tokenIn(late) }, 400, 'verification_token_expired'],
      [{ token: tokenIn(dropped) }, 400, 'verification_token_invalid'],
      [{ token: 'x'.repeat(201) }, 400, 'validation_failed'],
      [{}, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of refusals) {
      const res = await stack.api.post(confirmUrl).send(body);
      expect([JSON.stringify(body).slice(0, 40), res.status, res.body.error?.code]).toEqual([
        JSON.stringify(body).slice(0, 40),
        status,
        code,
      ]);
    }
    expect(await ReportRecipientConfirmation.count({ where: { definitionId: created.id, confirmedAt: { [Op.ne]: null } } })).toBe(0);
    const shown = await stack.api.get(`${definitions}/${created.id}`).set(as(admin)).expect(200);
    expect(shown.body.recipientStatuses).toEqual([
      { email: 'late@partner.example', status: 'pending' },
      { email: reader.email, status: 'member' },
    ]);
  });

  it('deactivating or demoting an owner pauses their definitions and schedules with the change, until a tenant admin hands them over', async () => {
    const { tenant, admin, manager, reader, adjuster } = await company();
    const other = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    const stranger = await buildUser({ role: 'tenant_admin' });
    const { created, name, handle } = await scheduled(manager, [reader.email]);
    expect(created.ownerId).toBe(manager.id);
    expect(await paused(handle)).toBe(false);

    // The attack: a leaver's schedule keeps sending. Deactivated, their definition stops at once.
    await stack.api.patch(`/api/v1/users/${manager.id}`).set(as(admin)).send({ isActive: false }).expect(200);
    expect((await ReportDefinition.findByPk(created.id))?.toJSON()).toMatchObject({ paused: true, pausedReason: 'owner_ineligible' });
    await waitUntil(() => pausedOnceRelayed(handle), 'the schedule paused', 10_000);
    const [pause] = await eventsOf(created.id, 'report_definition.pause');
    expect(pause.toJSON()).toMatchObject({ actor: { type: 'user', id: admin.id }, changes: { paused: { before: false, after: true } } });
    expect((await triggeredRun(handle)).outcome).toBe('paused');
    expect(reportMails(name)).toEqual([]);

    // Nobody resumes it on the leaver's authority; a tenant admin hands it over to someone who may own it.
    const refused = await stack.api.put(`${definitions}/${created.id}`).set(as(admin)).send({ paused: false }).expect(409);
    expect(refused.body.error.details[0]).toMatchObject({ reason: 'owner_ineligible' });
    const owner = `${definitions}/${created.id}/owner`;
    await stack.api.put(owner).set(as(other)).send({ ownerId: other.id }).expect(403);
    await stack.api.put(owner).set(as(stranger)).send({ ownerId: stranger.id }).expect(404);
    for (const ownerId of [adjuster.id, manager.id, stranger.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await stack.api.put(owner).set(as(admin)).send({ ownerId }).expect(422);
      expect(res.body.error.details[0]).toMatchObject({ field: 'ownerId' });
    }
    await stack.api.put(owner).set(as(admin)).send({ ownerId: 'not-a-uuid' }).expect(400);
    expect((await ReportDefinition.findByPk(created.id))?.ownerId).toBe(manager.id);
    const handed = await stack.api.put(owner).set(as(admin)).send({ ownerId: other.id }).expect(200);
    expect(handed.body).toMatchObject({ ownerId: other.id, paused: true });
    const [handOver] = await eventsOf(created.id, 'report_definition.hand_over');
    expect(handOver.toJSON()).toMatchObject({ actor: { id: admin.id }, changes: { ownerId: { before: manager.id, after: other.id } } });
    const resumed = await stack.api.put(`${definitions}/${created.id}`).set(as(admin)).send({ paused: false }).expect(200);
    expect(resumed.body).toMatchObject({ paused: false, pausedReason: null });
    await waitUntil(async () => !(await paused(handle)), 'the schedule resumed', 10_000);
    expect((await triggeredRun(handle)).outcome).toBe('sent');
    const [delivery] = await eventsOf(created.id, 'report_definition.deliver');
    expect(delivery.actorId).toBe(other.id);

    // A role that may not see the report is as good as gone: the new owner demoted, it pauses again.
    await stack.api.patch(`/api/v1/users/${other.id}`).set(as(admin)).send({ role: 'adjuster' }).expect(200);
    expect((await ReportDefinition.findByPk(created.id))?.pausedReason).toBe('owner_ineligible');
    await waitUntil(() => pausedOnceRelayed(handle), 'the schedule paused again', 10_000);
  });

  it('a schedule the change could not pause at once (the process died after its commit) is paused by the outbox relay', async () => {
    const { admin, manager, reader } = await company();
    const { created, handle } = await scheduled(manager, [reader.email]);
    const caller = { id: admin.id, tenantId: admin.tenantId, role: admin.role };
    const deps = commandDepsOf(stack.services, { caller, requestId: crypto.randomUUID() });
    // The change commits; nothing reaches Temporal after it, as when the process dies right then.
    const died = { ...deps, outbox: { ...deps.outbox, deliver: async () => undefined } };
    await updateUser(caller, { id: manager.id, isActive: false, ...withoutPresence }, died);

    expect((await ReportDefinition.findByPk(created.id))?.paused).toBe(true);
    expect(await paused(handle)).toBe(false);
    const message = await OutboxMessage.findOne({ where: { kind: 'report_schedule', workflowId: reportScheduleId(created.id) } });
    expect(message).toMatchObject({ payload: { definitionId: created.id }, deliveredAt: null });

    expect(await relayOnce(stack.services)).toBeGreaterThanOrEqual(1);
    await waitUntil(() => paused(handle), 'the relay paused the schedule', 10_000);
    expect((await message!.reload()).deliveredAt).toBeInstanceOf(Date);
  });

  it('a run whose owner lost the authority some other way sends nothing and pauses its definition and schedule', async () => {
    const { admin, manager, reader } = await company();
    const { created, name, handle } = await scheduled(manager, [reader.email]);
    // Bypassing the command, as a script or a restore might.
    await User.update({ isActive: false }, { where: { id: manager.id } });
    expect((await triggeredRun(handle)).outcome).toBe('owner_ineligible');
    expect(reportMails(name)).toEqual([]);
    expect((await ReportDefinition.findByPk(created.id))?.toJSON()).toMatchObject({ paused: true, pausedReason: 'owner_ineligible' });
    await waitUntil(() => paused(handle), 'the schedule paused', 10_000);
    const [pause] = await eventsOf(created.id, 'report_definition.pause');
    expect(pause.toJSON()).toMatchObject({ actor: { type: 'workflow' } });
    expect(await eventsOf(created.id, 'report_definition.deliver')).toEqual([]);
    await stack.api.put(`${definitions}/${created.id}`).set(as(admin)).send({ paused: false }).expect(409);
  });

  it('a tenant keeps at most its quota of scheduled definitions, however many requests race, and no schedule is made past it', async () => {
    const { tenant, admin, reader } = await company();
    await stack.api.put('/api/v1/tenant/settings').set(as(admin)).send({ scheduledReportDefinitionsMax: 101 }).expect(400);
    const settings = await stack.api.put('/api/v1/tenant/settings').set(as(admin)).send({ scheduledReportDefinitionsMax: 3 }).expect(200);
    expect(settings.body.scheduledReportDefinitionsMax).toBe(3);
    await scheduled(admin, [reader.email]);

    // Four at once for the two places left.
    const keys = ['quota-race-1', 'quota-race-2', 'quota-race-3', 'quota-race-4'];
    const answers = await Promise.all(
      keys.map((key, i) =>
        stack.api
          .post(definitions)
          .set(as(admin))
          .set('Idempotency-Key', key)
          .send({ name: `Race ${i}`, kind: 'claims', recipients: [reader.email], schedule: '0 9 * * *' }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 422, 422]);
    for (const refused of answers.filter((a) => a.status === 422)) {
      expect(refused.body.error).toMatchObject({
        code: 'quota_exceeded',
        details: [{ field: 'schedule', quota: 'scheduled_report_definitions', limit: 3 }],
      });
    }
    expect(await ReportDefinition.count({ where: { tenantId: tenant.id } })).toBe(3);
    // A refused definition leaves no Temporal Schedule behind.
    const refusedIds = keys.filter((_, i) => answers[i].status === 422).map((key) => idFromRequest('report-definition', admin.id, key));
    for (const id of refusedIds) await expect(stack.temporal.schedule.getHandle(reportScheduleId(id)).describe()).rejects.toThrow();

    // An unscheduled definition does not count; scheduling it is refused at the quota.
    const { body: unscheduled } = await stack.api
      .post(definitions)
      .set(as(admin))
      .send({ name: 'On demand', kind: 'claims', recipients: [reader.email] })
      .expect(201);
    const refused = await stack.api.put(`${definitions}/${unscheduled.id}`).set(as(admin)).send({ schedule: '0 9 * * *' }).expect(422);
    expect(refused.body.error.code).toBe('quota_exceeded');
    expect((await ReportDefinition.findByPk(unscheduled.id))?.schedule).toBeNull();
    await stack.api
      .post(definitions)
      .set(as(admin))
      .send({ name: 'One too many', kind: 'claims', recipients: [reader.email], schedule: '0 9 * * *' })
      .expect(422);
    expect(await ReportDefinition.count({ where: { tenantId: tenant.id } })).toBe(4);
  });
});
