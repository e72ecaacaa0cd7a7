/**
 * The same business time everywhere (docs/calendars.md, issue 43 item 5): a claim's escalation due
 * in business time (`claims.escalation_due_at`, as its run records it) decides whether the SLA breach
 * report lists it, when it is due there and in its CSV, and where the inbox puts it; without one the
 * tenant's wall-clock hours still count. Every `dueAt` a person reads comes with `dueAtLocal` in the
 * tenant's time zone (Europe/Berlin here). Rows are seeded as the runs leave them; no run.
 */
import { parse } from 'csv-parse/sync';
import type { ClaimStage } from '../../src/contracts/claim';
import { slaBreaches } from '../../src/domain/reports/claims-queries';
import { Claim, ClaimHistory, type Tenant, TenantSettings, type User } from '../../src/models';
import { localTime } from '../../src/domain/calendars/local-time';
import { HOUR_MS } from '../../src/shared/time';
import { apiClient } from '../support/graphql';
import { buildAcknowledgement, buildClaim, buildPolicyVersion, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

/** A business due instant after today: Wednesday 29 December 2027, 16:00 in Berlin (CET). */
const WINTER_DUE = new Date('2027-12-29T15:00:00Z');
/** A business due instant long past: Wednesday 1 July 2026, 12:00 in Berlin (CEST). */
const SUMMER_DUE = new Date('2026-07-01T10:00:00Z');
/** An acknowledgement due half an hour after midnight in Berlin: the day differs from UTC's. */
const ACK_DUE = new Date('2027-06-30T22:30:00Z');

interface TaskBody {
  kind: string;
  id: string;
  dueAt: string | null;
  dueAtLocal: string | null;
}
interface BreachBody {
  claimNumber: string;
  stage: ClaimStage;
  dueAt: string;
  dueAtLocal: string;
  overdueHours: number;
}

describe('business time in the SLA breach report, the inbox and local times', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let manager: User;
  let adjuster: User;
  /** waiting_approval, 60 h in the stage (48 h allowed) but due in business time on 29 December 2027: not late. */
  let notYetDue: Claim;
  /** documents_requested, due in business time on 1 July 2026: late since then. */
  let summer: Claim;
  /** waiting_approval since 100 h, due in business time an hour ago: late, though entered before `wallClock`. */
  let businessLate: Claim;
  /** waiting_approval since 90 h, due in business time half an hour ago (the manager's). */
  let alsoBusinessLate: Claim;
  /** waiting_approval since 55 h, no business due instant: 48 h, late by 7 h. */
  let wallClock: Claim;
  /** reported since 30 h, no business due instant: 24 h, late by 6 h. */
  let reported: Claim;
  /** waiting_approval since 40 h, no business due instant: due in 8 h. */
  let onTime: Claim;
  let now: number;
  const { as, data, rest } = apiClient(() => stack);

  /** When each seeded claim entered its stage, by claim ID. */
  const entered = new Map<string, Date>();
  const enteredAt = (claim: Claim) => entered.get(claim.id)!.getTime();

  /** A claim that entered `stage` at `at`, assigned to `assigneeId`, with its run's business due instant (or none). */
  async function claimIn(stage: ClaimStage, at: Date, escalationDueAt: Date | null, assigneeId: string | null): Promise<Claim> {
    // Filed an hour before (a reported claim: filed then); the history's stage change sets stage_entered_at (migration 0030).
    const claim = await buildClaim({ tenantId: tenant.id, filedAt: stage === 'reported' ? at : new Date(at.getTime() - HOUR_MS) });
    if (stage !== 'reported') {
      await ClaimHistory.create({
        tenantId: tenant.id,
        claimId: claim.id,
        sequence: 1,
        actorId: manager.id,
        fromStatus: 'reported',
        toStatus: stage,
        occurredAt: at,
      });
    }
    // After the history: the trigger that records a stage change clears the column (migration 0053).
    await claim.update({ status: stage, assigneeId, escalationDueAt });
    entered.set(claim.id, at);
    return claim;
  }

  beforeAll(async () => {
    tenant = await buildTenant();
    await TenantSettings.update({ values: { collectPremiums: false, timeZone: 'Europe/Berlin' } }, { where: { tenantId: tenant.id } });
    manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    now = Date.now();
    const ago = (hours: number) => new Date(now - hours * HOUR_MS);
    notYetDue = await claimIn('waiting_approval', ago(60), WINTER_DUE, adjuster.id);
    summer = await claimIn('documents_requested', new Date('2026-06-12T08:00:00Z'), SUMMER_DUE, adjuster.id);
    businessLate = await claimIn('waiting_approval', ago(100), ago(1), adjuster.id);
    alsoBusinessLate = await claimIn('waiting_approval', ago(90), ago(0.5), manager.id);
    wallClock = await claimIn('waiting_approval', ago(55), null, adjuster.id);
    reported = await claimIn('reported', ago(30), null, adjuster.id);
    onTime = await claimIn('waiting_approval', ago(40), null, adjuster.id);
    const version = await buildPolicyVersion({ tenantId: tenant.id, status: 'published', dueAt: ACK_DUE });
    await buildAcknowledgement({ versionId: version.id, employeeId: adjuster.id });
  });

  it('turns an instant into ISO 8601 with the offset of the zone, null for none', () => {
    expect(localTime(WINTER_DUE, 'Europe/Berlin')).toBe('2027-12-29T16:00:00.000+01:00');
    expect(localTime(SUMMER_DUE, 'Europe/Berlin')).toBe('2026-07-01T12:00:00.000+02:00');
    expect(localTime(WINTER_DUE, 'America/New_York')).toBe('2027-12-29T10:00:00.000-05:00');
    expect(localTime(WINTER_DUE, 'UTC')).toBe('2027-12-29T15:00:00.000Z');
    expect(localTime(null, 'Europe/Berlin')).toBeNull();
  });

  it('lists the breaches by their due instant in business time, most overdue first, with the local time', async () => {
    const { slaBreaches: report } = await rest('/reports/claims', manager);
    const items = report.items as BreachBody[];
    expect(report.count).toBe(5);
    expect(items.map((item) => item.claimNumber)).toEqual(
      [summer, wallClock, reported, businessLate, alsoBusinessLate].map((c) => c.claimNumber),
    );
    const [first, second, third, fourth] = items;
    expect(first).toEqual({
      claimNumber: summer.claimNumber,
      stage: 'documents_requested',
      dueAt: SUMMER_DUE.toISOString(),
      dueAtLocal: '2026-07-01T12:00:00.000+02:00',
      overdueHours: expect.any(Number),
    });
    expect(first.overdueHours).toBeCloseTo((Date.now() - SUMMER_DUE.getTime()) / HOUR_MS, 0);
    // The tenant's hours from entering the stage where the run has no business due instant.
    expect(Date.parse(second.dueAt)).toBe(enteredAt(wallClock) + 48 * HOUR_MS);
    expect(Date.parse(third.dueAt)).toBe(enteredAt(reported) + 24 * HOUR_MS);
    // Entered first, due last: the run's instant, not stage_entered_at + 48 h (52 h ago).
    expect(fourth).toMatchObject({ stage: 'waiting_approval', dueAt: businessLate.escalationDueAt!.toISOString() });
    expect(fourth.overdueHours).toBeGreaterThanOrEqual(0.99);
    expect(fourth.overdueHours).toBeLessThan(1.2);
    for (const item of items) expect(item.dueAtLocal).toBe(localTime(new Date(item.dueAt), 'Europe/Berlin'));
    // Past wall-clock hours but not business ones, or within both: not listed.
    for (const absent of [notYetDue, onTime]) expect(items.map((item) => item.claimNumber)).not.toContain(absent.claimNumber);
  });

  // Entry order is not due order: the first two waiting_approval breaches entered are due last.
  it('pages the breaches in the same order whatever the page size', async () => {
    const all = await slaBreaches(Claim.sequelize!, tenant.id, 100);
    const oneByOne = [];
    for (let offset = 0; offset < all.length + 1; offset += 1)
      oneByOne.push(...(await slaBreaches(Claim.sequelize!, tenant.id, 1, offset)));
    expect(oneByOne.map((b) => b.claimNumber)).toEqual(all.map((b) => b.claimNumber));
    const pairs = [];
    for (let offset = 0; offset < all.length; offset += 2) pairs.push(...(await slaBreaches(Claim.sequelize!, tenant.id, 2, offset)));
    expect(pairs.map((b) => b.claimNumber)).toEqual(all.map((b) => b.claimNumber));
  });

  it('writes the same rows to the CSV, dueAtLocal after dueAt', async () => {
    const res = await stack.api.get('/api/v1/reports/claims?format=csv&section=slaBreaches').set(as(manager)).expect(200);
    const [header, ...rows] = parse(res.text, { bom: true }) as string[][];
    expect(header).toEqual(['claimNumber', 'stage', 'dueAt', 'dueAtLocal', 'overdueHours']);
    expect(rows.map((row) => row[0])).toEqual([summer, wallClock, reported, businessLate, alsoBusinessLate].map((c) => c.claimNumber));
    expect(rows[0].slice(0, 4)).toEqual([
      summer.claimNumber,
      'documents_requested',
      SUMMER_DUE.toISOString(),
      '2026-07-01T12:00:00.000+02:00',
    ]);
  });

  it('answers the local time over GraphQL too', async () => {
    const { claimsReport } = await data<{ claimsReport: { slaBreaches: { items: { claimNumber: string; dueAtLocal: string }[] } } }>(
      '{ claimsReport { slaBreaches { items { claimNumber dueAtLocal } } } }',
      {},
      manager,
    );
    expect(claimsReport.slaBreaches.items[0]).toEqual({ claimNumber: summer.claimNumber, dueAtLocal: '2026-07-01T12:00:00.000+02:00' });
    const { acknowledgements } = await data<{ acknowledgements: { nodes: { dueAt: string; dueAtLocal: string }[] } }>(
      '{ acknowledgements(first: 5) { nodes { dueAt dueAtLocal } } }',
      {},
      adjuster,
    );
    expect(acknowledgements.nodes).toEqual([{ dueAt: ACK_DUE.toISOString(), dueAtLocal: '2027-07-01T00:30:00.000+02:00' }]);
  });

  it("orders the inbox by the same due instants, each with the tenant's local time", async () => {
    const body = (await rest('/me/tasks', adjuster)) as { items: TaskBody[] };
    const claimIds = [summer, wallClock, reported, businessLate, onTime].map((c) => c.id);
    expect(body.items.map((task) => task.id)).toEqual([...claimIds, expect.any(String), notYetDue.id]);
    const byId = new Map(body.items.map((task) => [task.id, task]));
    expect(byId.get(notYetDue.id)).toMatchObject({ dueAt: WINTER_DUE.toISOString(), dueAtLocal: '2027-12-29T16:00:00.000+01:00' });
    expect(byId.get(summer.id)).toMatchObject({ dueAt: SUMMER_DUE.toISOString(), dueAtLocal: '2026-07-01T12:00:00.000+02:00' });
    expect(byId.get(businessLate.id)!.dueAt).toBe(businessLate.escalationDueAt!.toISOString());
    // The report's deadlines: 48 h waiting for approval, 24 h reported.
    expect(Date.parse(byId.get(onTime.id)!.dueAt!)).toBe(enteredAt(onTime) + 48 * HOUR_MS);
    expect(Date.parse(byId.get(reported.id)!.dueAt!)).toBe(enteredAt(reported) + 24 * HOUR_MS);
    expect(body.items[5]).toMatchObject({
      kind: 'acknowledgement',
      dueAt: ACK_DUE.toISOString(),
      dueAtLocal: '2027-07-01T00:30:00.000+02:00',
    });
    for (const task of body.items) expect(task.dueAtLocal).toBe(localTime(new Date(task.dueAt!), 'Europe/Berlin'));
  });

  it("answers an acknowledgement's dueAt with its local time", async () => {
    const { items } = await rest('/acknowledgements', adjuster);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ dueAt: ACK_DUE.toISOString(), dueAtLocal: '2027-07-01T00:30:00.000+02:00' });
  });
});
