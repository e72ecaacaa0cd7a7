/**
 * The business reports on real PostgreSQL: claims and policies seeded with known dates, stages and
 * amounts (as their runs would have recorded them: claim history rows, payments, the
 * subscription's audit events), so every figure the API answers is checked against what was
 * seeded, for the tenant asking only, in JSON and as CSV.
 */
import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { allRoutes } from '../../src/api/routes';
import type { AcknowledgementStatus } from '../../src/contracts/acknowledgement';
import type { ClaimStage } from '../../src/contracts/claim';
import type { PolicyType } from '../../src/models/plan';
import {
  Acknowledgement,
  AuditEvent,
  Claim,
  ClaimHistory,
  ComplianceRequirement,
  ComplianceRequirementPolicy,
  EscalationAlert,
  ClaimPayment,
  ClaimReserveLine,
  Plan,
  Registration,
  Subscription,
  SubscriptionVersion,
  Tenant,
  TenantSettings,
  User,
} from '../../src/models';
import { DAY_MS, HOUR_MS } from '../../src/shared/time';
import {
  bearer,
  buildAcknowledgements,
  buildClaim,
  buildCompliancePolicy,
  buildPlan,
  buildPolicyVersion,
  buildSubscription,
  buildTenant,
  buildUser,
  buildUsers,
} from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';

const ago = (ms: number) => new Date(Date.now() - ms);
const isoDay = (date: Date) => date.toISOString().slice(0, 10);
/** What the whole file takes at most on a loaded machine (36 s alone). */
const FILE_MS = 4 * 60_000;

describe('business reports', () => {
  let stack: TestStack;
  let tenant: Tenant;
  let manager: User;
  let admin: User;
  let adjuster: User;
  let senior: User;
  let agent: User;
  let platformAdmin: User;
  let breached: Claim;
  let homePlan: Plan;
  let carPlan: Plan;
  let expiringSoon: Subscription;
  let expiringLater: Subscription;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const parseCsv = (text: string): string[][] => parse(text, { bom: true });

  /** A claim filed at `filedAt` that then went through `moves` (stage, when, by whom), as its run records them. */
  async function claimWith(
    tenantId: string,
    filedAt: Date,
    amountClaimed: string,
    moves: Array<[ClaimStage, Date, User | null]>,
    fields: Partial<{ amountApproved: string; assigneeId: string; subscriptionId: string }> = {},
  ): Promise<Claim> {
    const claim = await buildClaim({ tenantId, filedAt, amountClaimed, ...fields });
    await Claim.sequelize!.query('UPDATE claims SET created_at = :filedAt WHERE id = :id', { replacements: { filedAt, id: claim.id } });
    let from: ClaimStage = 'reported';
    for (const [sequence, [to, occurredAt, actor]] of moves.entries()) {
      await ClaimHistory.create({
        tenantId,
        claimId: claim.id,
        sequence: sequence + 1,
        actorId: actor?.id ?? null,
        fromStatus: from,
        toStatus: to,
        occurredAt,
      });
      from = to;
    }
    await claim.update({ status: from });
    return claim;
  }

  /** A subscription written at `createdAt`, and the audit events its run would have recorded. */
  async function policyWith(
    plan: Plan,
    createdAt: Date,
    fields: Partial<Pick<Subscription, 'status' | 'endDate' | 'cancelledAt' | 'cancellationReason' | 'renewalCount'>>,
    events: Array<[action: string, occurredAt: Date]> = [],
  ): Promise<Subscription> {
    const subscription = await buildSubscription({ tenantId: plan.tenantId, planId: plan.id, ...fields });
    await Subscription.sequelize!.query('UPDATE subscriptions SET created_at = :createdAt WHERE id = :id', {
      replacements: { createdAt, id: subscription.id },
    });
    for (const [action, occurredAt] of events) {
      await AuditEvent.create({
        tenantId: plan.tenantId,
        occurredAt,
        actorType: 'workflow',
        actorId: null,
        action,
        entityType: 'subscription',
        entityId: subscription.id,
        changes: {},
        requestId: null,
        workflowId: subscription.workflowId,
        runId: null,
      });
    }
    return subscription;
  }

  beforeAll(async () => {
    // The rows are dated from now (ago, inDays) and the tests ask for periods from the day they run: the file runs within one UTC
    // day, or "the last two days" asked after a midnight would leave out decisions a day old when they were written.
    await utcDayLasting(FILE_MS);
    stack = await startTestStack();
    tenant = await buildTenant();
    manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster', fullName: 'Ada Adjuster' });
    senior = await buildUser({ tenantId: tenant.id, role: 'senior_adjuster', fullName: 'Sam Senior' });
    agent = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    platformAdmin = await buildUser({ role: 'platform_admin' });
    // The two policies the tenant's claims are filed on, a home and a car policy, written long before the period.
    const coverOf = async (policyType: PolicyType) => {
      const cover = await buildSubscription({ tenantId: tenant.id, planId: (await buildPlan({ tenantId: tenant.id, policyType })).id });
      await Subscription.sequelize!.query('UPDATE subscriptions SET created_at = :createdAt WHERE id = :id', {
        replacements: { createdAt: ago(400 * DAY_MS), id: cover.id },
      });
      return { subscriptionId: cover.id };
    };
    const on = await coverOf('home');
    const onCar = await coverOf('auto');

    // Paid: 24 h reported, 24 h assigned (a reassignment in between is no stage change), 24 h in
    // review, approved by the adjuster for 900, paid the next day.
    const paid = await claimWith(
      tenant.id,
      ago(10 * DAY_MS),
      '1000.00',
      [
        ['assigned', ago(9 * DAY_MS), manager],
        ['assigned', ago(8.5 * DAY_MS), manager],
        ['under_review', ago(8 * DAY_MS), adjuster],
        ['approved', ago(7 * DAY_MS), adjuster],
        ['payment_processing', ago(7 * DAY_MS - HOUR_MS), null],
        ['paid', ago(6 * DAY_MS), null],
      ],
      { ...onCar, amountApproved: '900.00', assigneeId: adjuster.id },
    );
    await ClaimPayment.create({
      tenantId: tenant.id,
      claimId: paid.id,
      amount: '900.00',
      reference: `PAY-${paid.claimNumber}`,
      paidAt: ago(6 * DAY_MS),
    });
    // Denied by the senior adjuster after 48 h in review.
    await claimWith(
      tenant.id,
      ago(5 * DAY_MS),
      '2000.00',
      [
        ['assigned', ago(4 * DAY_MS), manager],
        ['under_review', ago(3 * DAY_MS), senior],
        ['denied', ago(1 * DAY_MS), senior],
      ],
      { ...on, assigneeId: senior.id },
    );
    // Above every limit: approved by the claims manager after 48 h waiting.
    await claimWith(
      tenant.id,
      ago(4 * DAY_MS),
      '30000.00',
      [
        ['waiting_approval', ago(3 * DAY_MS), senior],
        ['approved', ago(1 * DAY_MS), manager],
      ],
      { ...onCar, amountApproved: '30000.00' },
    );
    // Reported three days ago and never assigned: past the 24 h deadline by 48 h.
    breached = await claimWith(tenant.id, ago(3 * DAY_MS), '500.00', [], on);
    // Reported an hour ago: within its deadline.
    await claimWith(tenant.id, ago(HOUR_MS), '300.00', [], on);
    // Filed and closed two months ago: outside the period, but a claim of the tenant.
    await claimWith(tenant.id, ago(60 * DAY_MS), '700.00', [['closed', ago(59 * DAY_MS), manager]], on);

    // Another tenant's claims: a breach, an approval, a filing in the period; never counted.
    const other = await buildTenant();
    const otherManager = await buildUser({ tenantId: other.id, role: 'claims_manager' });
    await claimWith(other.id, ago(3 * DAY_MS), '4000.00', [['approved', ago(2 * DAY_MS), otherManager]], { amountApproved: '4000.00' });
    await claimWith(other.id, ago(3 * DAY_MS), '100.00', []);

    // Policies. The home plan's name would run as a formula in a spreadsheet.
    homePlan = await buildPlan({ tenantId: tenant.id, name: '=HYPERLINK("http://evil")', premium: '100.00', policyType: 'home' });
    carPlan = await buildPlan({ tenantId: tenant.id, name: 'Car Plus', premium: '250.00', policyType: 'auto' });
    const inDays = (days: number) => isoDay(new Date(Date.now() + days * DAY_MS));
    expiringSoon = await policyWith(homePlan, ago(20 * DAY_MS), { endDate: inDays(20) }, [['subscription.activate', ago(20 * DAY_MS)]]);
    expiringLater = await policyWith(carPlan, ago(10 * DAY_MS), { endDate: inDays(45) }, [['subscription.activate', ago(10 * DAY_MS)]]);
    // Written last year, renewed six days ago.
    await policyWith(homePlan, ago(100 * DAY_MS), { endDate: inDays(200), renewalCount: 1 }, [['subscription.renew', ago(6 * DAY_MS)]]);
    const cancelled = { status: 'cancelled' as const };
    await policyWith(carPlan, ago(15 * DAY_MS), {
      ...cancelled,
      cancelledAt: ago(5 * DAY_MS),
      cancellationReason: 'Found a cheaper offer',
    });
    await policyWith(homePlan, ago(200 * DAY_MS), { ...cancelled, cancelledAt: ago(3 * DAY_MS), cancellationReason: 'Moved abroad' });
    await policyWith(homePlan, ago(300 * DAY_MS), {
      ...cancelled,
      cancelledAt: ago(2 * DAY_MS),
      cancellationReason: 'Found a cheaper offer',
    });
    await policyWith(homePlan, ago(DAY_MS), { status: 'pending' });
    await policyWith(carPlan, ago(400 * DAY_MS), { status: 'expired', endDate: inDays(-4) }, [['subscription.expire', ago(4 * DAY_MS)]]);
    // Another tenant's: written, cancelled and expiring in the period; never counted.
    const otherPlan = await buildPlan({ tenantId: other.id, premium: '999.00' });
    await policyWith(otherPlan, ago(DAY_MS), { endDate: inDays(10) }, [['subscription.renew', ago(DAY_MS)]]);
    await policyWith(otherPlan, ago(DAY_MS), { ...cancelled, cancelledAt: ago(DAY_MS), cancellationReason: 'Found a cheaper offer' });
    // A policy keeps the type it was issued with: the home plan turned business later changes none of its policies.
    await homePlan.update({ policyType: 'business' });
  }, FILE_MS + 120_000);
  afterAll(() => stack?.close());

  const claimsReport = async (query = '', user = manager) => {
    const res = await stack.api.get(`/api/v1/reports/claims${query}`).set(as(user));
    expect(res.status).toBe(200);
    return res.body;
  };
  const policiesReport = async (query = '') => {
    const res = await stack.api.get(`/api/v1/reports/policies${query}`).set(as(admin));
    expect(res.status).toBe(200);
    return res.body;
  };

  it('counts the period’s claims, decisions and amounts, by current stage, for the tenant only', async () => {
    const report = await claimsReport();
    expect(report.period).toEqual({ from: isoDay(ago(29 * DAY_MS)), to: isoDay(new Date()) });
    // Filed: 5 in the period (not the one of two months ago); decided: 2 approved, 1 denied.
    expect(report.totals).toEqual({
      filed: 5,
      approved: 2,
      denied: 1,
      paid: 1,
      denialRate: 0.3333,
      currency: 'USD',
      amountClaimed: '33800.00',
      amountApproved: '30900.00',
      amountPaid: '900.00',
    });
    expect(report.groups).toEqual([
      expect.objectContaining({ key: 'approved', filed: 1, approved: 1, denied: 0, amountApproved: '30000.00' }),
      expect.objectContaining({ key: 'denied', filed: 1, denied: 1, denialRate: 1, amountClaimed: '2000.00' }),
      expect.objectContaining({ key: 'paid', filed: 1, approved: 1, paid: 1, amountPaid: '900.00' }),
      expect.objectContaining({ key: 'reported', filed: 2, approved: 0, denialRate: null, amountClaimed: '800.00' }),
    ]);
    expect(report.currentStages).toMatchObject({ reported: 2, approved: 1, denied: 1, paid: 1, closed: 1, assigned: 0, under_review: 0 });
    expect(report.approvalsByAuthority).toEqual({ adjuster: 1, senior: 0, manager: 1, other: 0 });
  });

  it('measures the time in each stage from the history, with percentiles', async () => {
    const { stageTimes } = await claimsReport();
    const byStage = Object.fromEntries(stageTimes.map((row: { stage: string }) => [row.stage, row]));
    // Three claims left `reported` after 24 h each; the one closed two months ago is outside the period.
    expect(byStage.reported).toEqual({ stage: 'reported', stays: 3, meanHours: 24, p50Hours: 24, p90Hours: 24 });
    // The reassignment does not split the 24 h in `assigned`.
    expect(byStage.assigned).toEqual({ stage: 'assigned', stays: 2, meanHours: 24, p50Hours: 24, p90Hours: 24 });
    // 24 h and 48 h in review: mean 36, median 36, p90 interpolated 24 + 0.9 × 24.
    expect(byStage.under_review).toEqual({ stage: 'under_review', stays: 2, meanHours: 36, p50Hours: 36, p90Hours: 45.6 });
    expect(byStage.waiting_approval).toMatchObject({ stays: 1, meanHours: 48 });
    expect(byStage.approved).toMatchObject({ stays: 1, meanHours: 1 });
    // Stays still running (the reported claims, the final stages) have no end and are not listed.
    expect(byStage.paid).toBeUndefined();
  });

  it('lists the SLA breaches: the claim number, stage, due time and how late', async () => {
    const { slaBreaches } = await claimsReport();
    expect(slaBreaches.count).toBe(1);
    expect(slaBreaches.truncated).toBe(false);
    expect(slaBreaches.items).toEqual([
      {
        claimNumber: breached.claimNumber,
        stage: 'reported',
        dueAt: expect.any(String),
        dueAtLocal: expect.any(String),
        overdueHours: expect.any(Number),
      },
    ]);
    expect(Date.parse(slaBreaches.items[0].dueAt)).toBeCloseTo(ago(2 * DAY_MS).getTime(), -5);
    // The tenant keeps the default time zone, UTC: the local time is the same instant, written alike.
    expect(slaBreaches.items[0].dueAtLocal).toBe(slaBreaches.items[0].dueAt);
    expect(slaBreaches.items[0].overdueHours).toBeGreaterThanOrEqual(47.9);
    expect(slaBreaches.items[0].overdueHours).toBeLessThan(48.5);

    // The deadline is the tenant's setting: with 100 hours to assign, the 72-hour-old claim is on time.
    const [settings] = await TenantSettings.upsert({ tenantId: tenant.id, values: { claimUnassignedEscalationHours: 100 } });
    try {
      expect((await claimsReport()).slaBreaches).toEqual({ count: 0, items: [], truncated: false });
    } finally {
      await settings.destroy();
    }
  });

  it('groups by assignee, by the policy type of the claim’s subscription and by month', async () => {
    const byAssignee = await claimsReport('?groupBy=assignee');
    expect(byAssignee.groups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: adjuster.id, label: 'Ada Adjuster', filed: 1, approved: 1, paid: 1 }),
        expect.objectContaining({ key: senior.id, label: 'Sam Senior', filed: 1, denied: 1 }),
        expect.objectContaining({ key: 'unassigned', label: 'Unassigned', filed: 3, approved: 1 }),
      ]),
    );
    expect(byAssignee.groups).toHaveLength(3);
    const byType = await claimsReport('?groupBy=policyType');
    expect(byType.groups).toEqual([
      {
        key: 'auto',
        label: 'auto',
        filed: 2,
        approved: 2,
        denied: 0,
        paid: 1,
        denialRate: 0,
        currency: 'USD',
        amountClaimed: '31000.00',
        amountApproved: '30900.00',
        amountPaid: '900.00',
      },
      {
        key: 'home',
        label: 'home',
        filed: 3,
        approved: 0,
        denied: 1,
        paid: 0,
        denialRate: 1,
        currency: 'USD',
        amountClaimed: '2800.00',
        amountApproved: '0.00',
        amountPaid: '0.00',
      },
    ]);
    expect(byType.totals).toEqual((await claimsReport()).totals);
    const byMonth = await claimsReport('?groupBy=month');
    const filed = byMonth.groups.reduce((sum: number, group: { filed: number }) => sum + group.filed, 0);
    expect(filed).toBe(5);
    for (const group of byMonth.groups) expect(group.key).toMatch(/^\d{4}-\d{2}$/);
  });

  it('counts only the period asked for', async () => {
    // The last two days: the claim reported an hour ago, and two decisions a day ago.
    const report = await claimsReport(`?from=${isoDay(ago(DAY_MS))}&to=${isoDay(new Date())}`);
    expect(report.totals).toMatchObject({ filed: 1, approved: 1, denied: 1, amountClaimed: '300.00' });
    // Two months ago: only the closed claim.
    const old = await claimsReport(`?from=${isoDay(ago(61 * DAY_MS))}&to=${isoDay(ago(58 * DAY_MS))}`);
    expect(old.totals).toMatchObject({ filed: 1, amountClaimed: '700.00' });
    expect(old.stageTimes).toEqual([{ stage: 'reported', stays: 1, meanHours: 24, p50Hours: 24, p90Hours: 24 }]);
  });

  it('answers the claims tables as CSV downloads', async () => {
    const groups = await stack.api.get('/api/v1/reports/claims').set(as(admin)).set('Accept', 'text/csv').expect(200);
    expect(groups.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(groups.headers['content-disposition']).toMatch(
      /^attachment; filename="claims-report-groups-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const [header, ...rows] = parseCsv(groups.text);
    expect(header).toEqual([
      'key',
      'label',
      'filed',
      'approved',
      'denied',
      'paid',
      'denialRate',
      'amountClaimed',
      'amountApproved',
      'amountPaid',
      'currency',
    ]);
    expect(rows).toContainEqual(['reported', 'reported', '2', '0', '0', '0', '', '800.00', '0.00', '0.00', 'USD']);
    expect(rows).toHaveLength(4);

    const breaches = await stack.api.get('/api/v1/reports/claims?format=csv&section=slaBreaches').set(as(manager)).expect(200);
    const [breachHeader, ...breachRows] = parseCsv(breaches.text);
    expect(breachHeader).toEqual(['claimNumber', 'stage', 'dueAt', 'dueAtLocal', 'overdueHours']);
    expect(breachRows.map((row) => row.slice(0, 2))).toEqual([[breached.claimNumber, 'reported']]);

    const byType = await stack.api.get('/api/v1/reports/claims?groupBy=policyType&format=csv').set(as(manager)).expect(200);
    expect(parseCsv(byType.text).slice(1)).toEqual([
      ['auto', 'auto', '2', '2', '0', '1', '0', '31000.00', '30900.00', '900.00', 'USD'],
      ['home', 'home', '3', '0', '1', '0', '1', '2800.00', '0.00', '0.00', 'USD'],
    ]);
  });

  it('counts the period’s policies, premiums, cancellations by reason, renewals and expiries', async () => {
    const report = await policiesReport();
    expect(report.totals).toEqual({
      written: 4,
      activated: 2,
      cancelled: 3,
      expired: 1,
      renewed: 1,
      currency: 'USD',
      writtenPremium: '700.00',
      renewedPremium: '100.00',
    });
    // Active: the two expiring, the renewed one and the two the claims are filed on.
    expect(report.currentStatuses).toEqual({ pending: 1, pending_payment: 0, active: 5, lapsed: 0, cancelled: 3, expired: 1 });
    expect(report.cancellationsByReason).toEqual([
      { reason: 'Found a cheaper offer', count: 2 },
      { reason: 'Moved abroad', count: 1 },
    ]);
    expect(report.expiring).toMatchObject({ within30Days: 1, within60Days: 2, within90Days: 2, truncated: false });
    expect(report.expiring.items.map((item: { subscriptionId: string }) => item.subscriptionId)).toEqual([
      expiringSoon.id,
      expiringLater.id,
    ]);
    expect(report.expiring.items[1]).toMatchObject({ plan: 'Car Plus', premium: '250.00', endDate: expiringLater.endDate });

    const byPlan = await policiesReport('?groupBy=plan');
    expect(byPlan.groups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: homePlan.id, written: 2, writtenPremium: '200.00', cancelled: 2, renewed: 1 }),
        expect.objectContaining({ key: carPlan.id, label: 'Car Plus', written: 2, writtenPremium: '500.00', cancelled: 1, expired: 1 }),
      ]),
    );
    expect(byPlan.groups).toHaveLength(2);

    // By policy type, as issued: the home plan's policies stay home policies after the plan became business.
    const byType = await policiesReport('?groupBy=policyType');
    expect(byType.groupBy).toBe('policyType');
    expect(byType.groups).toEqual([
      {
        key: 'auto',
        label: 'auto',
        written: 2,
        activated: 1,
        cancelled: 1,
        expired: 1,
        renewed: 0,
        currency: 'USD',
        writtenPremium: '500.00',
        renewedPremium: '0.00',
      },
      {
        key: 'home',
        label: 'home',
        written: 2,
        activated: 1,
        cancelled: 2,
        expired: 0,
        renewed: 1,
        currency: 'USD',
        writtenPremium: '200.00',
        renewedPremium: '100.00',
      },
    ]);
    expect(byType.totals).toEqual(report.totals);
  });

  it('answers the policies tables as CSV, a plan name that would run as a formula neutralised', async () => {
    const res = await stack.api.get('/api/v1/reports/policies?groupBy=plan&format=csv').set(as(admin)).expect(200);
    const rows = parseCsv(res.text).slice(1);
    expect(rows).toContainEqual([homePlan.id, `'=HYPERLINK("http://evil")`, '2', '1', '2', '0', '1', '200.00', '100.00', 'USD']);
    const byType = await stack.api.get('/api/v1/reports/policies?groupBy=policyType').set(as(admin)).set('Accept', 'text/csv').expect(200);
    expect(parseCsv(byType.text).slice(1)).toEqual([
      ['auto', 'auto', '2', '1', '1', '1', '0', '500.00', '0.00', 'USD'],
      ['home', 'home', '2', '1', '2', '0', '1', '200.00', '100.00', 'USD'],
    ]);
    const expiring = await stack.api.get('/api/v1/reports/policies?section=expiring').set(as(admin)).set('Accept', 'text/csv').expect(200);
    const [header, ...expiringRows] = parseCsv(expiring.text);
    expect(header).toEqual(['subscriptionId', 'policyholder', 'email', 'plan', 'endDate', 'premium']);
    expect(expiringRows.map((row) => row[0])).toEqual([expiringSoon.id, expiringLater.id]);
  });

  it('writes a dinar policy’s premium with its three decimals, not to the hundredth: written premium and expiring policies', async () => {
    const dinarTenant = await buildTenant();
    const dinarAdmin = await buildUser({ tenantId: dinarTenant.id, role: 'tenant_admin' });
    const plan = await buildPlan({ tenantId: dinarTenant.id, currency: 'KWD', premium: '195.56' });
    // A premium in fils, as a quote recorded before premiums were rounded to the hundredth binds it (migration 0099).
    const policy = await buildSubscription({
      tenantId: dinarTenant.id,
      planId: plan.id,
      premium: '195.556',
      endDate: isoDay(new Date(Date.now() + 30 * DAY_MS)),
    });
    const policies = (await stack.api.get('/api/v1/reports/policies').set(as(dinarAdmin)).expect(200)).body;
    expect(policies.totals).toMatchObject({ written: 1, currency: 'KWD', writtenPremium: '195.556', renewedPremium: '0.000' });
    expect(policies.expiring.items).toEqual([expect.objectContaining({ subscriptionId: policy.id, premium: '195.556' })]);
  });

  it('writes the amounts of a yen tenant without decimals: claims, their costs, policies’ premiums, expiring policies', async () => {
    const yenTenant = await buildTenant();
    const [yenManager, yenAdmin] = await Promise.all([
      buildUser({ tenantId: yenTenant.id, role: 'claims_manager' }),
      buildUser({ tenantId: yenTenant.id, role: 'tenant_admin' }),
    ]);
    const plan = await buildPlan({ tenantId: yenTenant.id, currency: 'JPY', premium: '30000.00' });
    const cover = await buildSubscription({ tenantId: yenTenant.id, planId: plan.id, endDate: isoDay(new Date(Date.now() + 30 * DAY_MS)) });
    const claim = await claimWith(yenTenant.id, ago(2 * HOUR_MS), '12000.00', [['approved', ago(HOUR_MS), yenManager]], {
      amountApproved: '11500.00',
      subscriptionId: cover.id,
    });
    await ClaimReserveLine.create({
      tenantId: yenTenant.id,
      claimId: claim.id,
      costType: 'indemnity',
      category: 'repair',
      amount: '500.00',
    });
    const claims = (await stack.api.get('/api/v1/reports/claims').set(as(yenManager)).expect(200)).body;
    expect(claims.totals).toMatchObject({ filed: 1, approved: 1, amountClaimed: '12000', amountApproved: '11500', amountPaid: '0' });
    expect(claims.groups).toEqual([expect.objectContaining({ key: 'approved', amountClaimed: '12000', amountApproved: '11500' })]);
    expect(claims.costs).toEqual([
      expect.objectContaining({ currency: 'JPY', outstanding: '500', paid: '0', recovered: '0', incurred: '500' }),
    ]);
    const policies = (await stack.api.get('/api/v1/reports/policies').set(as(yenAdmin)).expect(200)).body;
    expect(policies.totals).toMatchObject({ written: 1, writtenPremium: '30000', renewedPremium: '0' });
    expect(policies.expiring.items).toEqual([expect.objectContaining({ subscriptionId: cover.id, premium: '30000' })]);
  });

  it('never adds amounts of different currencies: a figure summing two is null, each group in one currency names it, in JSON and CSV', async () => {
    const books = await buildTenant();
    const [booksManager, booksAdmin] = await Promise.all([
      buildUser({ tenantId: books.id, role: 'claims_manager' }),
      buildUser({ tenantId: books.id, role: 'tenant_admin' }),
    ]);
    const euros = await buildPlan({ tenantId: books.id, currency: 'EUR', premium: '450.00', policyType: 'home' });
    const yen = await buildPlan({ tenantId: books.id, currency: 'JPY', premium: '30000.00', policyType: 'auto' });
    const home = await policyWith(euros, ago(DAY_MS), {});
    const car = await policyWith(yen, ago(DAY_MS), {});
    await claimWith(books.id, ago(2 * HOUR_MS), '1200.00', [], { subscriptionId: home.id });
    await claimWith(books.id, ago(2 * HOUR_MS), '12000.00', [], { subscriptionId: car.id });

    const claims = (await stack.api.get('/api/v1/reports/claims?groupBy=policyType').set(as(booksManager)).expect(200)).body;
    // 1200.00 EUR and 12000 JPY are not 13200.00 of anything.
    expect(claims.totals).toMatchObject({ filed: 2, currency: null, amountClaimed: null, amountApproved: null, amountPaid: null });
    expect(claims.groups).toEqual([
      expect.objectContaining({ key: 'auto', filed: 1, currency: 'JPY', amountClaimed: '12000', amountPaid: '0' }),
      expect.objectContaining({ key: 'home', filed: 1, currency: 'EUR', amountClaimed: '1200.00', amountPaid: '0.00' }),
    ]);
    const policies = (await stack.api.get('/api/v1/reports/policies?groupBy=plan').set(as(booksAdmin)).expect(200)).body;
    expect(policies.totals).toMatchObject({ written: 2, currency: null, writtenPremium: null, renewedPremium: null });
    expect(policies.groups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: euros.id, written: 1, currency: 'EUR', writtenPremium: '450.00' }),
        expect.objectContaining({ key: yen.id, written: 1, currency: 'JPY', writtenPremium: '30000' }),
      ]),
    );
    const csv = await stack.api.get('/api/v1/reports/claims?groupBy=policyType&format=csv').set(as(booksManager)).expect(200);
    const [header, ...rows] = parseCsv(csv.text);
    const column = (row: string[], name: string) => row[header.indexOf(name)];
    expect(rows.map((row) => [column(row, 'key'), column(row, 'currency'), column(row, 'amountClaimed')])).toEqual([
      ['auto', 'JPY', '12000'],
      ['home', 'EUR', '1200.00'],
    ]);
  });

  it('counts a policy’s written and renewed premium as written and renewed, under the plan of then: a later change moves neither', async () => {
    const changing = await buildTenant();
    const changingAdmin = await buildUser({ tenantId: changing.id, role: 'tenant_admin' });
    const basic = await buildPlan({ tenantId: changing.id, name: 'Basic', premium: '100.00' });
    const premium = await buildPlan({ tenantId: changing.id, name: 'Premium', premium: '400.00' });
    /** A new version of the policy (a change, or a re-rated renewal), and the row's plan and premium, as the run writes them. */
    const change = async (policy: Subscription, plan: Plan, amount: string, effectiveFrom: string) => {
      const last = await SubscriptionVersion.findOne({
        where: { subscriptionId: policy.id },
        order: [['number', 'DESC']],
        rejectOnEmpty: true,
      });
      await SubscriptionVersion.create({
        ...last.get({ plain: true }),
        id: crypto.randomUUID(),
        number: last.number + 1,
        effectiveFrom,
        planId: plan.id,
        premium: amount,
      });
      await policy.update({ planId: plan.id, premium: amount });
    };
    // Written yesterday on Basic at 100.00, changed today to Premium at 400.00.
    const written = await policyWith(basic, ago(DAY_MS), {});
    await change(written, premium, '400.00', isoDay(new Date()));
    // Written last year on Basic, renewed five days ago re-rated at 120.00 (the renewal's own version), changed since to 60.00.
    const termStart = isoDay(ago(5 * DAY_MS));
    const renewed = await policyWith(basic, ago(400 * DAY_MS), { renewalCount: 1 });
    await change(renewed, basic, '120.00', termStart);
    await change(renewed, basic, '60.00', isoDay(ago(DAY_MS)));
    await AuditEvent.create({
      tenantId: changing.id,
      occurredAt: ago(5 * DAY_MS),
      actorType: 'workflow',
      actorId: null,
      action: 'subscription.renew',
      entityType: 'subscription',
      entityId: renewed.id,
      // A renewal moves the end date on; the term it begins starts on the end date before.
      changes: {
        endDate: { before: termStart, after: isoDay(new Date(Date.now() + 360 * DAY_MS)) },
        renewalCount: { before: 0, after: 1 },
      },
      requestId: null,
      workflowId: renewed.workflowId,
      runId: null,
    });

    const report = (await stack.api.get('/api/v1/reports/policies?groupBy=plan').set(as(changingAdmin)).expect(200)).body;
    expect(report.totals).toMatchObject({ written: 1, renewed: 1, writtenPremium: '100.00', renewedPremium: '120.00' });
    expect(report.groups).toEqual([
      expect.objectContaining({ key: basic.id, label: 'Basic', written: 1, renewed: 1, writtenPremium: '100.00' }),
    ]);
  });

  it('refuses other roles, platform admins and a bad period', async () => {
    for (const user of [agent, adjuster, senior]) {
      expect((await stack.api.get('/api/v1/reports/claims').set(as(user))).status).toBe(403);
    }
    expect((await stack.api.get('/api/v1/reports/policies').set(as(manager))).status).toBe(403);
    expect((await stack.api.get('/api/v1/reports/claims').set(as(platformAdmin))).status).toBe(403);
    expect((await stack.api.get('/api/v1/reports/claims')).status).toBe(401);

    // A day not in the calendar is refused, not read as another one (2026-02-30 was the period from 2 March).
    for (const query of [
      '?from=yesterday',
      '?to=2026-13-01',
      '?from=2026-02-30',
      '?to=2026-04-31',
      '?groupBy=plan',
      '?section=everything',
    ]) {
      const res = await stack.api.get(`/api/v1/reports/claims${query}`).set(as(manager));
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
    // Well-formed dates that make no period: 422, naming the field.
    for (const [query, field] of [
      ['?from=2026-03-02&to=2026-03-01', 'from'],
      ['?from=2024-01-01&to=2026-01-01', 'to'],
      ['?from=1999-12-31', 'from'],
      ['?to=3000-01-01', 'to'],
    ]) {
      const res = await stack.api.get(`/api/v1/reports/claims${query}`).set(as(manager));
      expect({ query, status: res.status, field: res.body.error?.details?.[0]?.field }).toEqual({ query, status: 422, field });
    }
    expect((await stack.api.get('/api/v1/reports/policies?from=2026-03-02&to=2026-03-01').set(as(admin))).status).toBe(422);
    expect((await stack.api.get('/api/v1/reports/policies?groupBy=assignee').set(as(admin))).status).toBe(400);
  });

  it('reports each compliance requirement per policy: audience, acknowledged, overdue, escalations by level', async () => {
    const officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    const policy = await buildCompliancePolicy({ tenantId: tenant.id, createdById: officer.id, title: '@Gifts' });
    const version = await buildPolicyVersion({ policyId: policy.id, status: 'published' });
    const statuses: AcknowledgementStatus[] = ['acknowledged', 'acknowledged', 'pending', 'overdue', 'escalated'];
    const employees = await buildUsers(statuses.length, tenant.id, () => ({ role: 'adjuster' }));
    const acks = await buildAcknowledgements(version, employees);
    await Promise.all(acks.map((ack, i) => ack.update({ status: statuses[i] })));
    // The escalated one reached level 1 by e-mail and webhook (one acknowledgement) and level 2; the overdue one level 1.
    const alert = (ack: Acknowledgement, level: number, channel: 'email' | 'webhook') =>
      EscalationAlert.create({ tenantId: tenant.id, acknowledgementId: ack.id, level, channel });
    await alert(acks[4], 1, 'email');
    await alert(acks[4], 1, 'webhook');
    await alert(acks[4], 2, 'email');
    await alert(acks[3], 1, 'email');
    const requirement = await ComplianceRequirement.create({
      tenantId: tenant.id,
      title: 'Anti-bribery',
      frameworkRef: 'ISO 37001 8.7',
      ownerId: officer.id,
      dueAt: new Date(Date.now() + 30 * DAY_MS),
      createdById: officer.id,
    });
    await ComplianceRequirementPolicy.create({ requirementId: requirement.id, policyId: policy.id, tenantId: tenant.id });
    // Another tenant's requirement is never listed.
    const other = await buildTenant();
    const otherOfficer = await buildUser({ tenantId: other.id, role: 'compliance_officer' });
    await ComplianceRequirement.create({
      tenantId: other.id,
      title: 'Elsewhere',
      frameworkRef: 'X',
      ownerId: otherOfficer.id,
      dueAt: new Date(),
      createdById: otherOfficer.id,
    });

    const res = await stack.api.get('/api/v1/reports/compliance').set(as(officer)).expect(200);
    const counts = { audience: 5, acknowledged: 2, pending: 1, overdue: 2, exempt: 0, percent: 40 };
    expect(res.body.requirements).toEqual([
      {
        requirementId: requirement.id,
        title: 'Anti-bribery',
        frameworkRef: 'ISO 37001 8.7',
        dueAt: expect.any(String),
        status: 'at_risk',
        complete: false,
        overall: counts,
        policies: [
          {
            policyId: policy.id,
            title: '@Gifts',
            versionId: version.id,
            versionNumber: version.versionNumber,
            ...counts,
            escalations: { level1: 2, level2: 1 },
          },
        ],
      },
    ]);

    const csv = await stack.api.get('/api/v1/reports/compliance?format=csv').set(as(admin)).expect(200);
    expect(parseCsv(csv.text)).toEqual([
      [
        'requirement',
        'frameworkRef',
        'dueAt',
        'status',
        'policy',
        'versionNumber',
        'audience',
        'acknowledged',
        'pending',
        'overdue',
        'exempt',
        'percent',
        'level1',
        'level2',
      ],
      [
        'Anti-bribery',
        'ISO 37001 8.7',
        requirement.dueAt.toISOString(),
        'at_risk',
        "'@Gifts",
        String(version.versionNumber),
        '5',
        '2',
        '1',
        '2',
        '0',
        '40',
        '2',
        '1',
      ],
    ]);
    expect((await stack.api.get('/api/v1/reports/compliance').set(as(manager))).status).toBe(403);
  });

  it('reports every tenant to platform admins: users, policies, open claims, SLA breaches, requirements; pending registrations', async () => {
    const fresh = await buildTenant({ name: '=SUM(A1)' });
    const holder = await buildUser({ tenantId: fresh.id, role: 'policyholder' });
    await buildUser({ tenantId: fresh.id, role: 'tenant_admin' });
    await buildUser({ tenantId: fresh.id, role: 'adjuster', isActive: false });
    const policy = await buildSubscription({ tenantId: fresh.id, policyholderId: holder.id });
    // Open and past the 24 h deadline; and a closed one.
    await claimWith(fresh.id, ago(3 * DAY_MS), '100.00', [], { subscriptionId: policy.id });
    await claimWith(fresh.id, ago(3 * DAY_MS), '100.00', [['closed', ago(2 * DAY_MS), null]], { subscriptionId: policy.id });
    const registration = await Registration.create({
      companyName: 'Waiting Mutual',
      businessType: 'mutual',
      phone: '+44 20 7946 0000',
      contactEmail: 'contact@waiting.example',
      address: '1 Queue Street',
      requestedSlug: 'waiting-mutual',
      adminEmail: 'admin@waiting.example',
      adminFullName: 'Wanda Waiting',
      adminPasswordHash: 'not-a-real-hash',
      workflowId: 'onboarding-waiting',
    });
    await Registration.sequelize!.query('UPDATE registrations SET created_at = :at WHERE id = :id', {
      replacements: { at: ago(5 * HOUR_MS), id: registration.id },
    });

    const res = await stack.api.get('/api/v1/reports/platform?ordering=-createdAt').set(as(platformAdmin)).expect(200);
    expect(res.body.items[0]).toEqual({
      tenant: { id: fresh.id, name: '=SUM(A1)', slug: fresh.slug, status: fresh.status },
      users: 2,
      activePolicies: 1,
      openClaims: 1,
      slaBreaches: 1,
      requirements: { total: 0, on_track: 0, at_risk: 0, breached: 0 },
    });
    // The first tenant of this suite: its one breach, its one requirement (at risk).
    expect(res.body.items.find((item: { tenant: { id: string } }) => item.tenant.id === tenant.id)).toMatchObject({
      slaBreaches: 1,
      requirements: { total: 1, at_risk: 1 },
    });
    const waiting = res.body.registrations.items.find((item: { id: string }) => item.id === registration.id);
    expect(waiting).toMatchObject({ companyName: 'Waiting Mutual' });
    expect(waiting.ageHours).toBeGreaterThanOrEqual(5);
    expect(waiting.ageHours).toBeLessThan(5.5);
    expect(res.body.registrations.count).toBeGreaterThanOrEqual(1);

    const csv = await stack.api.get('/api/v1/reports/platform?format=csv').set(as(platformAdmin)).expect(200);
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual([
      'tenant',
      'slug',
      'users',
      'activePolicies',
      'openClaims',
      'slaBreaches',
      'total',
      'on_track',
      'at_risk',
      'breached',
    ]);
    expect(rows).toContainEqual(["'=SUM(A1)", fresh.slug, '2', '1', '1', '1', '0', '0', '0', '0']);

    expect((await stack.api.get('/api/v1/reports/platform').set(as(admin))).status).toBe(403);
  });

  it('answers exactly what the declared response schemas say, for every grouping', async () => {
    const schemaOf = (path: string) => allRoutes(stack.config).find((spec) => spec.path === path)!.response.schema!;
    for (const [path, user, groupings] of [
      ['/reports/claims', manager, ['stage', 'assignee', 'month', 'policyType']],
      ['/reports/policies', admin, ['month', 'plan', 'policyType']],
      ['/reports/compliance', admin, ['']],
      ['/reports/platform', platformAdmin, ['']],
    ] as const) {
      for (const groupBy of groupings) {
        const res = await stack.api
          .get(`/api/v1${path}${groupBy && `?groupBy=${groupBy}`}`)
          .set(as(user))
          .expect(200);
        const { error } = schemaOf(path).validate(res.body, { allowUnknown: false, abortEarly: false });
        expect(error?.details.map((d) => `${path} ${groupBy} ${d.path.join('.')}: ${d.message}`) ?? []).toEqual([]);
      }
    }
  });

  it('describes the four reports in the OpenAPI document, JSON and CSV, and every grouping', async () => {
    const { body } = await stack.api.get('/api/openapi.json').expect(200);
    for (const path of ['/api/v1/reports/claims', '/api/v1/reports/policies', '/api/v1/reports/compliance', '/api/v1/reports/platform']) {
      expect(Object.keys(body.paths[path].get.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    }
    const groupings = (path: string) => body.paths[path].get.parameters.find((p: { name: string }) => p.name === 'groupBy').schema.enum;
    expect(groupings('/api/v1/reports/claims')).toEqual(['stage', 'assignee', 'month', 'policyType']);
    expect(groupings('/api/v1/reports/policies')).toEqual(['month', 'plan', 'policyType']);
  });
});
