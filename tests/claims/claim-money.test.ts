/**
 * A claim's reserves and recoveries (docs/claim-money.md), end to end on the dev server with a
 * real worker: reserve changes go through the claim's run, which applies one within the asker's
 * authority and holds one above it for a second person; recoveries lower what the claim incurred;
 * the figures agree on REST and GraphQL; closing the claim releases what is still reserved.
 */
import { AuditEvent, Claim, ClaimRecovery, ClaimReserveChange, ClaimReserveLine, TenantSettings, type User } from '../../src/models';
import { QueryTypes } from 'sequelize';
import { apiKeyHeader } from '../support/api-keys';
import { bearer, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { claimReserveChanges } from '../../src/observability/business-metrics';
import { startTestStack, type TestStack } from '../support/stack';
import { waitUntil } from '../support/waiting';
import { type ClaimsTeam, createClaimsTeam, DEBTOR, fileAssignedClaim, REPAIRER } from './fixtures';

describe('claim reserves and recoveries (API, worker)', () => {
  let stack: TestStack;
  let team: ClaimsTeam;
  let claimId: string;
  let outsider: User;
  let incidentDate: string;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    team = await createClaimsTeam();
    outsider = await buildUser({ role: 'claims_manager', tenantId: (await buildTenant()).id });
    // An adjuster sets reserve lines up to 1,000 alone; a senior adjuster up to 50,000 (the default).
    await TenantSettings.upsert({ tenantId: team.tenant.id, values: { reserveAuthorityAdjuster: 1000 } });
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    claimId = await fileAssignedClaim(stack, team, subscription);
    ({ incidentDate } = await Claim.findByPk(claimId, { rejectOnEmpty: true }));
  });
  afterAll(() => stack?.close());

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const reserve = (user: User, body: Record<string, unknown>) =>
    stack.api.post(`/api/v1/claims/${claimId}/reserves`).set(as(user)).send(body);
  const decide = (user: User, changeId: string, verb: 'approve' | 'reject') =>
    stack.api.post(`/api/v1/claims/${claimId}/reserves/changes/${changeId}/${verb}`).set(as(user));
  const lines = async () =>
    (await ClaimReserveLine.findAll({ where: { claimId }, order: [['category', 'ASC']] })).map((line) => [line.category, line.amount]);
  const figures = async (user: User) => (await stack.api.get(`/api/v1/claims/${claimId}`).set(as(user)).expect(200)).body.financials;

  it('applies a reserve within the adjuster’s authority at once, and holds one above it for a second person', async () => {
    const within = await reserve(team.adjuster, { costType: 'indemnity', category: 'repair', amount: 800, reason: 'Roof tiles' }).expect(
      200,
    );
    expect(within.body.change).toMatchObject({
      status: 'applied',
      amountBefore: '0.00',
      amount: '800.00',
      requestedById: team.adjuster.id,
    });
    // The run reserved the amount claimed as it was first assigned.
    expect(within.body.reserves).toEqual([
      { costType: 'indemnity', category: 'other', amount: '6000.00' },
      { costType: 'indemnity', category: 'repair', amount: '800.00' },
    ]);
    expect(await lines()).toEqual([
      ['other', '6000.00'],
      ['repair', '800.00'],
    ]);

    const above = await reserve(team.adjuster, { costType: 'indemnity', category: 'repair', amount: 5000, reason: 'Rafters too' }).expect(
      202,
    );
    const changeId = above.body.change.id;
    expect(above.body.change).toMatchObject({ status: 'pending', amountBefore: '800.00', amount: '5000.00' });
    expect((await lines())[1]).toEqual(['repair', '800.00']);
    // One change of a line waits at a time; the asker never approves their own; an adjuster not on the claim may not.
    expect(
      (await reserve(team.adjuster, { costType: 'indemnity', category: 'repair', amount: 900, reason: 'Again' }).expect(409)).body.error
        .details[0],
    ).toMatchObject({
      pendingChangeId: changeId,
    });
    expect((await decide(team.adjuster, changeId, 'approve').expect(403)).body.error.details[0].rule).toBe('separation_of_duties');
    await decide(team.otherAdjuster, changeId, 'approve').expect(403);
    // A key with a claims manager's role is a machine speaking for the admin who made it: it is no second person.
    const key = await apiKeyHeader(stack, await buildUser({ role: 'tenant_admin', tenantId: team.tenant.id }), 'claims_manager');
    const byKey = await stack.api.post(`/api/v1/claims/${claimId}/reserves/changes/${changeId}/approve`).set(key);
    expect([byKey.status, byKey.body.error?.code]).toEqual([403, 'person_required']);
    expect((await lines())[1]).toEqual(['repair', '800.00']);

    const approved = await decide(team.senior, changeId, 'approve').expect(200);
    expect(approved.body.change).toMatchObject({ status: 'approved', decidedById: team.senior.id });
    expect((await lines())[1]).toEqual(['repair', '5000.00']);
    await decide(team.senior, changeId, 'approve').expect(409);

    const record = await stack.api.get(`/api/v1/claims/${claimId}/reserves`).set(as(team.manager)).expect(200);
    expect(record.body.changes.map((change: { status: string; amount: string }) => [change.status, change.amount])).toEqual([
      ['applied', '6000.00'],
      ['applied', '800.00'],
      ['approved', '5000.00'],
    ]);
    // The worker (in this process) counted them: one change waited, one was approved.
    const counted = (await claimReserveChanges.get()).values;
    const count = (status: string) => counted.find((value) => value.labels.status === status)?.value ?? 0;
    expect([count('pending'), count('approved')]).toEqual([1, 1]);
    expect(count('applied')).toBeGreaterThanOrEqual(2);
    const audited = await AuditEvent.findAll({
      where: { entityId: claimId, actorType: 'user', action: ['claim.reserve_applied', 'claim.reserve_pending', 'claim.reserve_approved'] },
      order: [['id', 'ASC']],
    });
    expect(audited.map((event) => [event.action, event.actorId, event.changes.reason?.after])).toEqual([
      ['claim.reserve_applied', team.adjuster.id, 'Roof tiles'],
      ['claim.reserve_pending', team.adjuster.id, 'Rafters too'],
      ['claim.reserve_approved', team.senior.id, 'Rafters too'],
    ]);
  });

  it('lets the asker withdraw a waiting change, and refuses hostile input and the wrong people before anything is recorded', async () => {
    const legal = await reserve(team.adjuster, { costType: 'expense', category: 'legal', amount: 2500, reason: 'Counsel' }).expect(202);
    await decide(team.adjuster, legal.body.change.id, 'reject').expect(200);
    const before = await ClaimReserveChange.count({ where: { claimId } });

    await reserve(team.adjuster, { costType: 'indemnity', category: 'repair', amount: -1, reason: 'Negative' }).expect(400);
    await reserve(team.adjuster, { costType: 'fees', category: 'repair', amount: 10, reason: 'Bogus type' }).expect(400);
    await reserve(team.adjuster, { costType: 'indemnity', category: 'repair', amount: 10, reason: '' }).expect(400);
    const decimals = await reserve(team.adjuster, {
      costType: 'indemnity',
      category: 'medical',
      amount: 10.555,
      reason: 'Too precise',
    }).expect(422);
    expect(decimals.body.error.details).toEqual([{ field: 'amount', message: 'is not an amount in USD' }]);
    await reserve(team.claimant, { costType: 'indemnity', category: 'medical', amount: 10, reason: 'Mine' }).expect(403);
    await reserve(team.agent, { costType: 'indemnity', category: 'medical', amount: 10, reason: 'Agent' }).expect(403);
    await reserve(outsider, { costType: 'indemnity', category: 'medical', amount: 10, reason: 'Other tenant' }).expect(404);
    await stack.api.get(`/api/v1/claims/${claimId}/reserves`).set(as(team.claimant)).expect(403);
    expect(await ClaimReserveChange.count({ where: { claimId } })).toBe(before);
    expect((await lines())[1]).toEqual(['repair', '5000.00']);
  });

  it('refuses a recovery beyond what the claim has paid: nothing paid, nothing to recover; past what was paid, 422', async () => {
    // Salvage or a recovery from a third party gives back what the insurer paid; what comes in beyond it is the policyholder's.
    const today = new Date().toISOString().slice(0, 10);
    const recover = (amount: number) =>
      stack.api.post(`/api/v1/claims/${claimId}/recoveries`).set(as(team.adjuster)).send({ kind: 'salvage', amount, receivedOn: today });
    const unpaid = await recover(50).expect(422);
    expect(unpaid.body.error.details).toEqual([
      { field: 'amount', message: 'is more than the claim has paid and not yet recovered (0.00)' },
    ]);
    expect(await ClaimRecovery.count({ where: { claimId } })).toBe(0);

    // 1,000 paid to the repairer: approved (within a claims manager's limit), issued in a bank file and cleared.
    const paid = await stack.api
      .post(`/api/v1/claims/${claimId}/payments`)
      .set(as(team.manager))
      .send({ costType: 'indemnity', category: 'other', amount: 1000, payee: REPAIRER })
      .expect(201);
    await stack.api.post('/api/v1/payment-batches').set(as(team.manager)).send({ debtor: DEBTOR }).expect(201);
    await stack.api.post(`/api/v1/claims/${claimId}/payments/${paid.body.payment.id}/clear`).set(as(team.manager)).expect(200);
    expect(await figures(team.manager)).toMatchObject({ paid: '1000.00', recovered: '0.00' });
    const beyond = await recover(1000.01).expect(422);
    expect(beyond.body.error.details).toEqual([
      { field: 'amount', message: 'is more than the claim has paid and not yet recovered (1000.00)' },
    ]);
    // Two at once that together pass what was paid: one recorded, the other refused.
    const both = await Promise.all([recover(600), recover(600)]);
    expect(both.map((res) => res.status).sort()).toEqual([201, 422]);
    expect(await figures(team.manager)).toMatchObject({ paid: '1000.00', recovered: '600.00' });
  });

  it('records a recovery once per Idempotency-Key, and the figures agree on REST and GraphQL; the claimant sees none', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const body = { kind: 'salvage', amount: 300, receivedOn: today, reference: 'Scrap dealer 17' };
    const first = await stack.api
      .post(`/api/v1/claims/${claimId}/recoveries`)
      .set(as(team.adjuster))
      .set('Idempotency-Key', 'salvage-1')
      .send(body)
      .expect(201);
    const again = await stack.api
      .post(`/api/v1/claims/${claimId}/recoveries`)
      .set(as(team.adjuster))
      .set('Idempotency-Key', 'salvage-1')
      .send(body);
    expect([200, 201]).toContain(again.status);
    expect(again.body.id).toBe(first.body.id);
    expect(await ClaimRecovery.count({ where: { claimId } })).toBe(2);
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    await stack.api
      .post(`/api/v1/claims/${claimId}/recoveries`)
      .set(as(team.adjuster))
      .send({ ...body, receivedOn: tomorrow })
      .expect(422);
    // Nothing is recovered on a loss before it happened: the day before the incident is a mistyped day.
    const dayBefore = new Date(Date.parse(`${incidentDate}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const early = await stack.api
      .post(`/api/v1/claims/${claimId}/recoveries`)
      .set(as(team.adjuster))
      .send({ ...body, amount: 50, receivedOn: dayBefore })
      .expect(422);
    expect(early.body.error.details).toEqual([
      { field: 'receivedOn', rule: 'received_before_incident', message: `not before ${incidentDate}, the claim's incident date` },
    ]);
    // A day not in the calendar was recorded as another one: 2026-02-30 as 2 March.
    for (const receivedOn of ['2026-02-30', '2025-04-31T10:00:00Z']) {
      const refused = await stack.api
        .post(`/api/v1/claims/${claimId}/recoveries`)
        .set(as(team.adjuster))
        .send({ ...body, receivedOn })
        .expect(400);
      expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'body.receivedOn' })]);
    }
    expect(await ClaimRecovery.count({ where: { claimId } })).toBe(2);
    await stack.api
      .post(`/api/v1/claims/${claimId}/recoveries`)
      .set(as(team.adjuster))
      .send({ ...body, amount: 0 })
      .expect(400);

    const expected = { currency: expect.any(String), outstanding: '10000.00', paid: '1000.00', recovered: '900.00', incurred: '10100.00' };
    expect(await figures(team.manager)).toEqual({ ...expected, recoveredBeyondPaid: '0.00' });
    expect(await figures(team.claimant)).toBeNull();
    const query = `query { claim(id: "${claimId}") { financials { outstanding paid recovered incurred } } }`;
    const staff = await stack.api.post('/api/graphql').set(as(team.manager)).send({ query }).expect(200);
    expect(staff.body.data.claim.financials).toEqual({
      outstanding: '10000.00',
      paid: '1000.00',
      recovered: '900.00',
      incurred: '10100.00',
    });
    const claimant = await stack.api.post('/api/graphql').set(as(team.claimant)).send({ query }).expect(200);
    expect(claimant.body.errors[0].extensions.code).toBe('FORBIDDEN');

    // The claims report: what the period's claims cost by plan and cost type, as JSON and CSV.
    const cost = { costType: 'indemnity', claims: 1, outstanding: '10000.00', paid: '1000.00', recovered: '900.00', incurred: '10100.00' };
    const report = await stack.api.get('/api/v1/reports/claims').set(as(team.manager)).expect(200);
    expect(report.body.costs).toEqual([expect.objectContaining(cost)]);
    const csv = await stack.api.get('/api/v1/reports/claims?format=csv&section=costs').set(as(team.manager)).expect(200);
    const [header, row] = csv.text.trim().split(/\r?\n/);
    expect(header).toBe('planId,plan,currency,costType,claims,outstanding,paid,recovered,incurred');
    expect(row.split(',').slice(3)).toEqual(['indemnity', '1', '10000.00', '1000.00', '900.00', '10100.00']);
  });

  it('records a recovery by the claim’s handler or a claims manager only: anyone else 403, nothing recorded', async () => {
    const body = { kind: 'deductible', amount: 50, receivedOn: new Date().toISOString().slice(0, 10) };
    const recover = (user: User) => stack.api.post(`/api/v1/claims/${claimId}/recoveries`).set(as(user)).send(body);
    await recover(team.otherAdjuster).expect(403);
    await recover(team.senior).expect(403);
    await recover(team.agent).expect(403);
    await recover(team.claimant).expect(403);
    await recover(outsider).expect(404);
    expect(await ClaimRecovery.count({ where: { claimId } })).toBe(2);
    const byManager = await recover(team.manager).expect(201);
    expect(byManager.body).toMatchObject({ kind: 'deductible', recordedById: team.manager.id });
    expect(await ClaimRecovery.count({ where: { claimId } })).toBe(3);
  });

  it('releases what is still reserved as the claim closes; its reserves are final then', async () => {
    const transition = (user: User, body: Record<string, unknown>) =>
      stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(user)).send(body).expect(200);
    await transition(team.adjuster, { to: 'under_review' });
    // 1,000 was paid on it: it is not denied (the recoveries got money back), but approved at what was paid.
    const denial = await stack.api
      .post(`/api/v1/claims/${claimId}/transitions`)
      .set(as(team.adjuster))
      .send({ to: 'denied', reason: 'Not covered: wear and tear' })
      .expect(409);
    expect(denial.body.error.details[0].rule).toBe('money_paid');
    await transition(team.adjuster, { to: 'waiting_approval' });
    await transition(team.manager, { to: 'approved', approvedAmount: '1000.00' });
    await waitUntil(
      async () => (await stack.api.get(`/api/v1/claims/${claimId}`).set(as(team.manager))).body.status === 'closed',
      async () => {
        const claim = await Claim.findByPk(claimId, { rejectOnEmpty: true });
        const run = await stack.temporal.workflow.getHandle(claim.workflowId).describe();
        return `closed: ${JSON.stringify(run.raw.pendingActivities?.map((a) => a.lastFailure?.message))} ${claim.status} ${run.status.name}`;
      },
    );

    expect(await lines()).toEqual([
      ['other', '0.00'],
      ['repair', '0.00'],
    ]);
    const released = await ClaimReserveChange.findAll({ where: { claimId, status: 'released' }, order: [['category', 'ASC']] });
    expect(released.map((change) => [change.category, change.amountBefore, change.amount, change.requestedById])).toEqual([
      ['other', '5000.00', '0.00', null],
      ['repair', '5000.00', '0.00', null],
    ]);
    expect(await figures(team.manager)).toMatchObject({ outstanding: '0.00', paid: '1000.00', recovered: '950.00', incurred: '50.00' });
    const refused = await reserve(team.senior, { costType: 'indemnity', category: 'repair', amount: 10, reason: 'Too late' }).expect(409);
    expect(refused.body.error.message).toMatch(/closed/);
    // Its recoveries too: the handler is refused with 409 and nothing is recorded.
    const recovery = { kind: 'salvage', amount: 20, receivedOn: new Date().toISOString().slice(0, 10) };
    const late = await stack.api.post(`/api/v1/claims/${claimId}/recoveries`).set(as(team.adjuster)).send(recovery).expect(409);
    expect(late.body.error.message).toMatch(/closed/);
    expect(await ClaimRecovery.count({ where: { claimId } })).toBe(3);
    const { workflowId } = await Claim.findByPk(claimId, { rejectOnEmpty: true });
    await recordHistory(stack.temporal.workflow.getHandle(workflowId), 'claimWorkflow-reserves');
  });

  it('records a payment the bank returns after a recovery: the recovery stays, the figures and the books show it beyond what is paid, the claim flagged once for review', async () => {
    const returned = await fileAssignedClaim(stack, team, await buildSubscription({ policyholderId: team.claimant.id }));
    const path = `/api/v1/claims/${returned}`;
    const financials = async () => (await stack.api.get(path).set(as(team.manager)).expect(200)).body.financials;
    const recover = (amount: number) =>
      stack.api
        .post(`${path}/recoveries`)
        .set(as(team.adjuster))
        .send({ kind: 'salvage', amount, receivedOn: new Date().toISOString().slice(0, 10) });
    // 1,000 paid to the repairer and issued in a bank file; 600 of salvage comes back.
    const paid = await stack.api
      .post(`${path}/payments`)
      .set(as(team.manager))
      .send({ costType: 'indemnity', category: 'other', amount: 1000, payee: REPAIRER })
      .expect(201);
    const paymentId: string = paid.body.payment.id;
    await stack.api.post('/api/v1/payment-batches').set(as(team.manager)).send({ debtor: DEBTOR }).expect(201);
    const recovery = await recover(600).expect(201);

    // The bank returns the payment (sent twice): recorded, its amount back on the line; the salvage was received and stays.
    const fail = () => stack.api.post(`${path}/payments/${paymentId}/fail`).set(as(team.manager)).send({ reason: 'AC04 account closed' });
    expect((await fail().expect(200)).body.status).toBe('failed');
    await fail().expect(200);
    await waitUntil(async () => (await financials()).outstanding === '6000.00', 'the returned payment back on its line');
    expect(await financials()).toMatchObject({
      paid: '0.00',
      recovered: '600.00',
      incurred: '5400.00',
      recoveredBeyondPaid: '600.00',
    });
    expect(await ClaimRecovery.count({ where: { claimId: returned } })).toBe(1);
    // The books keep the recovery's entry and take the payment off paid losses: the claim's recoveries stand 600 above its paid losses.
    const accounts = await stack.db.sequelize.query<{ account: string; net: number }>(
      `SELECT l.account_code AS account, sum(l.credit_minor - l.debit_minor)::float8 AS net
         FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
        WHERE e.claim_id = :claimId AND l.account_code IN ('paid_losses', 'recoveries', 'claim_payments_in_transit')
        GROUP BY 1 ORDER BY 1`,
      { replacements: { claimId: returned }, type: QueryTypes.SELECT },
    );
    expect(accounts).toEqual([
      { account: 'claim_payments_in_transit', net: 0 },
      { account: 'paid_losses', net: 0 },
      { account: 'recoveries', net: 60_000 },
    ]);
    // Flagged once for the claims team to review: pay the payee again, or give back what was recovered beyond it.
    const flags = await AuditEvent.findAll({ where: { action: 'claim.recovery_review', entityId: returned } });
    expect(flags.map((flag) => [flag.reason, flag.changes.recoveredBeyondPaid?.after, flag.changes.paymentId?.after])).toEqual([
      ['payment_returned', '600.00', paymentId],
    ]);
    // Nothing more is recovered until the payee is paid again; then the figure is back to nothing and recoveries go on.
    expect((await recover(10).expect(422)).body.error.details).toEqual([
      { field: 'amount', message: 'is more than the claim has paid and not yet recovered (0.00)' },
    ]);
    await stack.api
      .post(`${path}/payments`)
      .set(as(team.manager))
      .send({ costType: 'indemnity', category: 'other', amount: 1000, payee: REPAIRER })
      .expect(201);
    await stack.api.post('/api/v1/payment-batches').set(as(team.manager)).send({ debtor: DEBTOR }).expect(201);
    expect(await financials()).toMatchObject({ paid: '1000.00', recovered: '600.00', recoveredBeyondPaid: '0.00' });
    await recover(400).expect(201);
    expect(recovery.body.amount).toBe('600.00');
  });

  it('holds a reserve change an API key asks for for a person, whatever the key’s role', async () => {
    const keysClaim = await fileAssignedClaim(stack, team, await buildSubscription({ policyholderId: team.claimant.id }));
    // A claims manager's role sets any reserve alone; a machine with it is nobody's approval.
    const key = await apiKeyHeader(stack, await buildUser({ role: 'tenant_admin', tenantId: team.tenant.id }), 'claims_manager');
    const asked = await stack.api
      .post(`/api/v1/claims/${keysClaim}/reserves`)
      .set(key)
      .send({ costType: 'indemnity', category: 'repair', amount: 200, reason: 'Estimate from the repair network' });
    expect([asked.status, asked.body.change?.status]).toEqual([202, 'pending']);
    expect(await ClaimReserveLine.count({ where: { claimId: keysClaim, category: 'repair' } })).toBe(0);
    const approved = await stack.api
      .post(`/api/v1/claims/${keysClaim}/reserves/changes/${asked.body.change.id}/approve`)
      .set(as(team.senior))
      .expect(200);
    expect(approved.body.change).toMatchObject({ status: 'approved', decidedById: team.senior.id });
  });
});
