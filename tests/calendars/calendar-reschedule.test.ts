/**
 * A calendar change moves the open deadlines that count in it (docs/calendars.md, A calendar
 * changes), end to end: the tenant admin's change over HTTP fixes the open runs as a bulk
 * operation, its run `calendar-reschedule-<id>` on a real worker asks each claim's run to
 * recompute, and every moved deadline is audited with its instant before and after; the claim's
 * run, its row (what the SLA report reads) and the operation's progress agree.
 */
import {
  AuditEvent,
  BulkOperation,
  BusinessCalendar,
  Claim,
  ClaimHistory,
  Subscription,
  TenantSettings,
  type User,
} from '../../src/models';
import { dueInstant } from '../../src/domain/calendars/business-time';
import { DEFAULT_BUSINESS_CALENDAR, type BusinessCalendarRules } from '../../src/shared/business-calendar';
import { bearer, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { waitUntil } from '../support/waiting';
import { type ClaimsTeam, createClaimsTeam } from '../claims/fixtures';

describe('a calendar change moves the open deadlines (API, worker)', () => {
  const stack = testStackOfBlock({ worker: true });
  let team: ClaimsTeam;
  let admin: User;
  let otherAdmin: User;
  /** The open claim the cases move, and when it was filed (its run counts from then). */
  let claim: { id: string };
  let filedAt: string;

  beforeAll(async () => {
    team = await createClaimsTeam();
    admin = await buildUser({ role: 'tenant_admin', tenantId: team.tenant.id });
    otherAdmin = await buildUser({ role: 'tenant_admin', tenantId: (await buildTenant()).id });
    // The unassigned escalation counts 24 working hours of the claim's calendar.
    await TenantSettings.upsert({ tenantId: team.tenant.id, values: { claimEscalationUnit: 'business_hours' } });
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const mornings = { zone: 'UTC', workingDays: [1, 2, 3, 4, 5], workingHours: [{ start: '09:00', end: '13:00' }] };

  async function fileClaim(): Promise<{ id: string }> {
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    const body = {
      subscriptionId: subscription.id,
      incidentDate: subscription.startDate,
      amountClaimed: 900,
      description: 'Hail on the roof',
    };
    return (await stack.api.post('/api/v1/claims').set(as(team.claimant)).send(body).expect(201)).body;
  }
  const nextDeadlineOf = async (claimId: string) =>
    (await stack.api.get(`/api/v1/claims/${claimId}`).set(as(team.manager)).expect(200)).body.state.nextDeadline;
  const dueAfter = (filedAt: string, calendar: BusinessCalendarRules) =>
    dueInstant({ start: new Date(filedAt), amount: 24, unit: 'business_hours', calendar }).toISOString();

  async function completed(operationId: string) {
    let progress: Record<string, unknown> = {};
    await waitUntil(async () => {
      progress = (await stack.api.get(`/api/v1/operations/${operationId}`).set(as(admin)).expect(200)).body;
      return progress.status === 'completed';
    }, 'the reschedule completed');
    return progress;
  }

  it('moves an open claim’s escalation when a default calendar is created and again when a holiday is added', async () => {
    claim = await fileClaim();
    // The run counts from the filing as its first history entry has it.
    const filing = await ClaimHistory.findOne({ where: { claimId: claim.id, sequence: 0 }, rejectOnEmpty: true });
    filedAt = filing.occurredAt.toISOString();
    // Filed in the built-in week (Monday to Friday, 09:00-17:00 in the tenant's zone, UTC).
    const builtIn = dueAfter(filedAt, { ...DEFAULT_BUSINESS_CALENDAR, zone: 'UTC' });
    await waitUntil(
      async () => (await nextDeadlineOf(claim.id))?.at === builtIn,
      async () => `the escalation counted in the built-in week: ${builtIn}, not ${JSON.stringify(await nextDeadlineOf(claim.id))}`,
    );

    // A default calendar of mornings only: 24 working hours take six working days.
    const created = await stack.api
      .post('/api/v1/tenant/calendars')
      .set(as(admin))
      .send({ name: 'Mornings', isDefault: true, ...mornings })
      .expect(201);
    expect(created.body.rescheduling).toEqual({ operationId: expect.any(String), runs: 1 });
    const mornings1 = dueAfter(filedAt, { ...mornings, holidays: [] });
    expect(await completed(created.body.rescheduling.operationId)).toMatchObject({
      kind: 'calendar_reschedule',
      total: 1,
      done: 1,
      failed: 0,
      parameters: { calendarId: created.body.id, change: 'calendar.create' },
    });
    expect((await nextDeadlineOf(claim.id)).at).toBe(mornings1);
    const moves = () => AuditEvent.findAll({ where: { action: 'claim.deadline_moved', entityId: claim.id }, order: [['id', 'ASC']] });
    expect((await moves()).map((event) => event.changes.dueAt)).toEqual([{ before: builtIn, after: mornings1 }]);
    expect((await Claim.findByPk(claim.id, { rejectOnEmpty: true })).escalationDueAt?.toISOString()).toBe(mornings1);

    // The due date becomes a holiday: a morning more.
    const dueDate = mornings1.slice(0, 10);
    const holidayAdded = await stack.api
      .post(`/api/v1/tenant/calendars/${created.body.id}/holidays`)
      .set(as(admin))
      .send({ date: dueDate, name: 'Closed' })
      .expect(200);
    expect(holidayAdded.body.rescheduling.runs).toBe(1);
    await completed(holidayAdded.body.rescheduling.operationId);
    const mornings2 = dueAfter(filedAt, { ...mornings, holidays: [dueDate] });
    expect(Date.parse(mornings2)).toBeGreaterThan(Date.parse(mornings1));
    expect((await nextDeadlineOf(claim.id)).at).toBe(mornings2);
    expect((await moves()).map((event) => event.changes.dueAt)).toEqual([
      { before: builtIn, after: mornings1 },
      { before: mornings1, after: mornings2 },
    ]);
  });

  it('moves nothing on a rename; shows the operation to the tenant’s admins only', async () => {
    const calendar = await BusinessCalendar.findOne({ where: { tenantId: team.tenant.id, isDefault: true }, rejectOnEmpty: true });
    const renamed = await stack.api
      .patch(`/api/v1/tenant/calendars/${calendar.id}`)
      .set(as(admin))
      .send({ name: 'Mornings only' })
      .expect(200);
    expect(renamed.body.rescheduling).toBeNull();

    const hours = await stack.api
      .patch(`/api/v1/tenant/calendars/${calendar.id}`)
      .set(as(admin))
      .send({ workingHours: [{ start: '09:00', end: '17:00' }] })
      .expect(200);
    const operationId = hours.body.rescheduling.operationId;
    await completed(operationId);
    await stack.api.get(`/api/v1/operations/${operationId}`).set(as(otherAdmin)).expect(404);
    await stack.api.get(`/api/v1/operations/${operationId}`).set(as(team.agent)).expect(403);
    await stack.api.get(`/api/v1/workflows/calendar-reschedule-${operationId}`).set(as(admin)).expect(200);
    await stack.api.get(`/api/v1/workflows/calendar-reschedule-${operationId}`).set(as(otherAdmin)).expect(404);
  });

  it('moves a plan’s open claims when the plan names another calendar', async () => {
    const afternoons = { zone: 'UTC', workingDays: [1, 2, 3, 4, 5], workingHours: [{ start: '13:00', end: '17:00' }] };
    const calendar = await stack.api
      .post('/api/v1/tenant/calendars')
      .set(as(admin))
      .send({ name: 'Afternoons', ...afternoons })
      .expect(201);
    expect(calendar.body.rescheduling).toBeNull();
    const { planId } = await Subscription.findByPk((await Claim.findByPk(claim.id, { rejectOnEmpty: true })).subscriptionId, {
      rejectOnEmpty: true,
    });
    await stack.api.put(`/api/v1/plans/${planId}`).set(as(admin)).send({ calendarId: calendar.body.id }).expect(200);

    const operation = await BulkOperation.findOne({
      where: { tenantId: team.tenant.id, kind: 'calendar_reschedule', parameters: { planId } },
      rejectOnEmpty: true,
    });
    expect(await completed(operation.id)).toMatchObject({
      total: 1,
      done: 1,
      parameters: { calendarId: calendar.body.id, change: 'plan.update' },
    });
    const expected = dueAfter(filedAt, { ...afternoons, holidays: [] });
    expect((await nextDeadlineOf(claim.id)).at).toBe(expected);
    const move = await AuditEvent.findOne({
      where: { action: 'claim.deadline_moved', entityId: claim.id },
      order: [['id', 'DESC']],
      rejectOnEmpty: true,
    });
    expect(move.changes.dueAt.after).toBe(expected);
  });
});
