/**
 * A claim's payments (docs/claim-money.md, Payments), end to end on the dev server with a real
 * worker, PostgreSQL and SMTP: partial payments to payees against reserve lines, approved alone
 * within the asker's approval limit or by a second person above it, never beyond the line; two at
 * once that together exceed it → one accepted, one 409; a payment batch issues the approved ones
 * as a pain.001.001.09 file that validates against the ISO schema; the bank's answer clears or
 * returns them (a returned one reopens its reserve); the approval pays the rest and the claim
 * closes with nothing outstanding. The walkthrough of docs/claim-money.md follows these steps.
 */
import fs from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { resolvePain001Xsd } from '../../scripts/local/pain001-xsd';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { AuditEvent, Claim, ClaimReserveLine, ClaimPayment, PaymentBatch, TenantSettings, type User, WebhookEvent } from '../../src/models';
import { DAY_MS, utcDay } from '../../src/shared/time';
import { apiKeyHeader } from '../support/api-keys';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { startTestStack, type TestStack } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';
import { waitUntil } from '../support/waiting';
import { type ClaimsTeam, createClaimsTeam, DEBTOR, fileAssignedClaim, REPAIRER } from './fixtures';

const CLAIMANT_ACCOUNT = { kind: 'claimant', name: 'Jan de Vries', iban: 'NL91ABNA0417164300' };

describe('claim payments and payment batches (API, worker)', () => {
  let stack: TestStack;
  let team: ClaimsTeam;
  let claimId: string;
  let outsider: User;
  let schema: string;

  beforeAll(async () => {
    schema = fs.readFileSync(resolvePain001Xsd(), 'utf8');
    stack = await startTestStack({ worker: true });
    team = await createClaimsTeam();
    outsider = await buildUser({ role: 'claims_manager', tenantId: (await buildTenant()).id });
    // An adjuster approves payments up to 1,000 alone; a senior adjuster up to the default 25,000.
    await TenantSettings.upsert({ tenantId: team.tenant.id, values: { approvalLimitAdjuster: 1000 } });
    const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'EUR' });
    const subscription = await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id });
    claimId = await fileAssignedClaim(stack, team, subscription);
    await stack.api
      .post(`/api/v1/claims/${claimId}/reserves`)
      .set(as(team.adjuster))
      .send({ costType: 'indemnity', category: 'repair', amount: 800, reason: 'Roof repair estimate' })
      .expect(200);
  }, 300_000);
  afterAll(() => stack?.close());

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const pay = (user: User, body: Record<string, unknown>, key?: string) => {
    const request = stack.api.post(`/api/v1/claims/${claimId}/payments`).set(as(user));
    return (key ? request.set('Idempotency-Key', key) : request).send(body);
  };
  const decide = (user: User, paymentId: string, verb: 'approve' | 'void' | 'clear' | 'fail', body?: object) =>
    stack.api.post(`/api/v1/claims/${claimId}/payments/${paymentId}/${verb}`).set(as(user)).send(body);
  const lines = async () =>
    Object.fromEntries((await ClaimReserveLine.findAll({ where: { claimId } })).map((line) => [line.category, line.amount]));
  const figures = async () => (await stack.api.get(`/api/v1/claims/${claimId}`).set(as(team.manager)).expect(200)).body.financials;
  const paymentRows = () => ClaimPayment.count({ where: { claimId, kind: 'partial' } });
  const mailTo = (user: User, subject: RegExp, text: RegExp) =>
    stack.smtp.waitFor((mail) => mail.to.includes(user.email.toLowerCase()) && subject.test(mail.subject) && text.test(mail.text));
  const ids: Record<string, string> = {};

  it('approves a payment within the asker’s limit at once, and holds one above it for a second person', async () => {
    const repair = await pay(
      team.adjuster,
      { costType: 'indemnity', category: 'repair', amount: 500, payee: REPAIRER },
      'roof-repair-1',
    ).expect(201);
    expect(repair.body.payment).toMatchObject({
      status: 'approved',
      approvedById: team.adjuster.id,
      payee: { kind: 'third_party', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
      currency: 'EUR',
    });
    expect(repair.body.payment.reference).toMatch(/^PAY-.+-1$/);
    ids.repair = repair.body.payment.id;
    // The payment took its amount off the line as it was asked for.
    expect(await lines()).toEqual({ other: '6000.00', repair: '300.00' });
    // A repeat with the same key is the same payment.
    const again = await pay(team.adjuster, { costType: 'indemnity', category: 'repair', amount: 500, payee: REPAIRER }, 'roof-repair-1');
    expect(again.body.payment.id).toBe(ids.repair);
    expect(await paymentRows()).toBe(1);
    await mailTo(team.claimant, /on its way/, /500\.00/);

    const big = await pay(team.adjuster, { costType: 'indemnity', category: 'other', amount: 2000, payee: CLAIMANT_ACCOUNT }).expect(202);
    ids.big = big.body.payment.id;
    expect(big.body.payment.status).toBe('requested');
    expect((await decide(team.adjuster, ids.big, 'approve').expect(403)).body.error.details[0].rule).toBe('separation_of_duties');
    await decide(team.otherAdjuster, ids.big, 'approve').expect(403);
    // A key with a claims manager's role is a machine speaking for the admin who made it: it is no second person.
    const key = await apiKeyHeader(stack, await buildUser({ role: 'tenant_admin', tenantId: team.tenant.id }), 'claims_manager');
    const byKey = await stack.api.post(`/api/v1/claims/${claimId}/payments/${ids.big}/approve`).set(key);
    expect([byKey.status, byKey.body.error?.code]).toEqual([403, 'person_required']);
    expect((await ClaimPayment.findByPk(ids.big, { rejectOnEmpty: true })).status).toBe('requested');
    const approved = await decide(team.senior, ids.big, 'approve').expect(200);
    expect(approved.body.payment).toMatchObject({ status: 'approved', approvedById: team.senior.id, requestedById: team.adjuster.id });
    await decide(team.senior, ids.big, 'approve').expect(409);
    expect(await lines()).toEqual({ other: '4000.00', repair: '300.00' });
    const row = await ClaimPayment.findByPk(ids.big, { rejectOnEmpty: true });
    expect([row.status, row.approvedById, row.payeeName, row.amount]).toEqual(['approved', team.senior.id, 'Jan de Vries', '2000.00']);
  });

  it('refuses hostile input and the wrong people before anything is recorded', async () => {
    const before = await paymentRows();
    const body = { costType: 'indemnity', category: 'repair', amount: 100, payee: REPAIRER };
    const exceeded = await pay(team.adjuster, { ...body, amount: 300.01 }).expect(409);
    expect(exceeded.body.error.details[0]).toMatchObject({ rule: 'reserve_exceeded', open: 300 });
    await pay(team.adjuster, { ...body, amount: -5 }).expect(400);
    await pay(team.adjuster, { ...body, amount: 0 }).expect(400);
    // More decimals than euros have: the claim's currency refuses it (docs/api.md, Money); more than any currency has, the input.
    expect((await pay(team.adjuster, { ...body, amount: 10.555 }).expect(422)).body.error.details[0].field).toBe('amount');
    expect((await pay(team.adjuster, { ...body, amount: '10.5555' }).expect(400)).body.error.details[0].field).toBe('body.amount');
    expect((await pay(team.adjuster, { ...body, currency: 'USD' }).expect(422)).body.error.details[0].field).toBe('currency');
    const badIban = await pay(team.adjuster, { ...body, payee: { ...REPAIRER, iban: 'DE89370400440532013001' } }).expect(422);
    expect(badIban.body.error.details[0]).toMatchObject({ field: 'payee.iban' });
    await pay(team.adjuster, { ...body, payee: { ...REPAIRER, name: 'Evil\u0000Corp' } }).expect(400);
    await pay(team.adjuster, { ...body, payee: { ...REPAIRER, name: 'x'.repeat(71) } }).expect(400);
    await pay(team.adjuster, { ...body, costType: 'fees' }).expect(400);
    await pay(team.claimant, body).expect(403);
    await pay(team.agent, body).expect(403);
    await pay(team.otherAdjuster, body).expect(403);
    await pay(outsider, body).expect(404);
    await stack.api.get(`/api/v1/claims/${claimId}/payments`).set(as(team.claimant)).expect(403);
    expect(await paymentRows()).toBe(before);
    expect(await lines()).toEqual({ other: '4000.00', repair: '300.00' });
  });

  it('accepts one of two payments sent at once that together exceed the line, and answers the other 409', async () => {
    const body = { costType: 'indemnity', category: 'repair', amount: 200, payee: REPAIRER };
    const answers = await Promise.all([pay(team.adjuster, body), pay(team.senior, body)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    ids.gutter = answers.find((answer) => answer.status === 201)!.body.payment.id;
    expect(await lines()).toEqual({ other: '4000.00', repair: '100.00' });
    expect(await ClaimPayment.count({ where: { claimId, kind: 'partial', category: 'repair' } })).toBe(2);
  });

  it('voids a payment before it is issued, which gives its amount back to the line', async () => {
    const small = await pay(team.adjuster, { costType: 'expense', category: 'legal', amount: 50, payee: REPAIRER }).expect(409);
    expect(small.body.error.details[0].open).toBe(0);
    const other = await pay(team.adjuster, { costType: 'indemnity', category: 'other', amount: 100, payee: CLAIMANT_ACCOUNT }).expect(201);
    await decide(team.otherAdjuster, other.body.payment.id, 'void').expect(403);
    const voided = await decide(team.adjuster, other.body.payment.id, 'void').expect(200);
    expect(voided.body.payment).toMatchObject({ status: 'voided', voidedById: team.adjuster.id });
    expect(await lines()).toEqual({ other: '4000.00', repair: '100.00' });
    await decide(team.adjuster, other.body.payment.id, 'void').expect(409);
  });

  it('issues the approved payments as a pain.001.001.09 file the ISO schema accepts, once', async () => {
    await stack.api.post('/api/v1/payment-batches').set(as(team.adjuster)).send({ debtor: DEBTOR }).expect(403);
    const badDebtor = await stack.api
      .post('/api/v1/payment-batches')
      .set(as(team.manager))
      .send({ debtor: { ...DEBTOR, iban: 'FR1420041010050500013M02607' } })
      .expect(422);
    expect(badDebtor.body.error.details[0].field).toBe('debtor.iban');
    // A date a bank refuses: one gone by, or more than a year ahead (SEPA takes a requested date up to a year ahead). Days
    // counted from the API's today: one that lasts past these requests.
    const today = Date.parse(await utcDayLasting());
    const mailsBefore = stack.smtp.messages.length;
    for (const requestedExecutionDate of ['2020-01-01', utcDay(today - DAY_MS), utcDay(today + 366 * DAY_MS), '2999-12-31']) {
      const badDate = await stack.api
        .post('/api/v1/payment-batches')
        .set(as(team.manager))
        .send({ debtor: DEBTOR, requestedExecutionDate })
        .expect(422);
      expect(badDate.body.error.details[0]).toMatchObject({ field: 'requestedExecutionDate', message: expect.stringMatching(/today/) });
    }
    expect(await ClaimPayment.count({ where: { claimId, status: 'issued' } })).toBe(0);
    expect(await PaymentBatch.count({ where: { tenantId: team.tenant.id } })).toBe(0);
    expect(stack.smtp.messages.length).toBe(mailsBefore);

    const created = await stack.api
      .post('/api/v1/payment-batches')
      .set(as(team.manager))
      .set('Idempotency-Key', 'payment-batch-1')
      .send({ debtor: DEBTOR, requestedExecutionDate: utcDay(today + 365 * DAY_MS) })
      .expect(201);
    expect(created.body).toMatchObject({ currency: 'EUR', paymentCount: 3, total: '2700.00', debtorIban: DEBTOR.iban });
    const issued = await ClaimPayment.findAll({ where: { claimId, status: 'issued' } });
    expect(issued.map((payment) => payment.id).sort()).toEqual([ids.repair, ids.big, ids.gutter].sort());
    expect(new Set(issued.map((payment) => payment.batchId))).toEqual(new Set([created.body.id]));

    const file = await stack.api.get(`/api/v1/payment-batches/${created.body.id}/file`).set(as(team.manager)).expect(200);
    expect(file.headers['content-type']).toMatch(/^application\/xml/);
    expect(file.headers['content-disposition']).toContain(`${created.body.messageId}.xml`);
    const xml = file.text;
    const validation = await validateXML({
      xml: [{ fileName: 'batch.xml', contents: xml }],
      schema: [{ fileName: 'pain.001.001.09.xsd', contents: schema }],
    });
    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);
    expect(xml).toContain('<NbOfTxs>3</NbOfTxs>');
    expect(xml).toContain('<CtrlSum>2700.00</CtrlSum>');
    expect(xml).toContain('Dachdecker Muller GmbH');

    // Issued payments are the bank's now: no void, no second batch of them; another tenant sees no batch.
    await decide(team.adjuster, ids.gutter, 'void').expect(409);
    await stack.api.post('/api/v1/payment-batches').set(as(team.manager)).send({ debtor: DEBTOR }).expect(409);
    await stack.api.get(`/api/v1/payment-batches/${created.body.id}`).set(as(outsider)).expect(404);
    const list = await stack.api.get('/api/v1/payment-batches').set(as(team.manager)).expect(200);
    expect(list.body.items.map((batch: { id: string }) => batch.id)).toEqual([created.body.id]);
    // Paid means issued: the figures moved from outstanding to paid.
    expect(await figures()).toMatchObject({ outstanding: '4100.00', paid: '2700.00', incurred: '6800.00' });
  });

  it('records the bank’s answers: a cleared payment is paid, a returned one reopens its reserve', async () => {
    await decide(team.adjuster, ids.repair, 'clear').expect(403);
    const cleared = await decide(team.manager, ids.repair, 'clear').expect(200);
    expect(cleared.body).toMatchObject({ status: 'cleared', paidAt: expect.any(String) });
    // The same answer sent three times at once (a bank file imported twice over): recorded once, each answered 200.
    const repeats = await Promise.all([1, 2, 3].map(() => decide(team.manager, ids.big, 'clear')));
    expect(repeats.map((res) => [res.status, res.body.status])).toEqual(Array(3).fill([200, 'cleared']));
    await decide(team.manager, ids.gutter, 'fail', {}).expect(400);
    await decide(team.manager, ids.gutter, 'fail', { reason: 'AC04 account closed' }).expect(200);
    await decide(team.manager, ids.gutter, 'clear').expect(409);
    await mailTo(team.claimant, /was paid/, /2000\.00/);
    await mailTo(team.claimant, /could not be made/, /200\.00/);
    // The run heard of the return through the outbox and gave the 200 back to the repair line.
    await waitUntil(
      async () => (await lines()).repair === '300.00',
      async () => `repair line ${JSON.stringify(await lines())}`,
    );
    expect(await figures()).toMatchObject({ outstanding: '4300.00', paid: '2500.00', incurred: '6800.00' });
    const audited = await AuditEvent.findAll({ where: { entityId: claimId, action: ['claim.payment_cleared', 'claim.payment_failed'] } });
    expect(audited.map((event) => event.action).sort()).toEqual(['claim.payment_cleared', 'claim.payment_cleared', 'claim.payment_failed']);
  });

  it('pays the rest on approval, and closes with nothing outstanding', async () => {
    const transition = (user: User, body: Record<string, unknown>) =>
      stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(user)).send(body);
    await transition(team.adjuster, { to: 'under_review' }).expect(200);
    await transition(team.adjuster, { to: 'waiting_approval' }).expect(200);
    // Below what the payments already paid, an approval is refused.
    await transition(team.manager, { to: 'approved', approvedAmount: 2000 }).expect(422);
    const key = await apiKeyHeader(stack, await buildUser({ role: 'tenant_admin', tenantId: team.tenant.id }), 'claims_manager');
    const byKey = await stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(key).send({ to: 'approved', approvedAmount: 3000 });
    expect([byKey.status, byKey.body.error?.code]).toEqual([403, 'person_required']);
    await transition(team.manager, { to: 'approved', approvedAmount: 3000 }).expect(200);
    await waitUntil(
      async () => (await Claim.findByPk(claimId, { rejectOnEmpty: true })).status === 'closed',
      async () => `claim ${(await Claim.findByPk(claimId))?.status}`,
    );

    const settlement = await ClaimPayment.findOne({ where: { claimId, kind: 'settlement' }, rejectOnEmpty: true });
    expect(settlement.amount).toBe('500.00');
    expect(await lines()).toEqual({ other: '0.00', repair: '0.00' });
    expect(await figures()).toMatchObject({ outstanding: '0.00', paid: '3000.00', recovered: '0.00', incurred: '3000.00' });
    await pay(team.senior, { costType: 'indemnity', category: 'repair', amount: 10, payee: REPAIRER }).expect(409);
    const { workflowId } = await Claim.findByPk(claimId, { rejectOnEmpty: true });
    await recordHistory(stack.temporal.workflow.getHandle(workflowId), 'claimWorkflow-payments');
  });

  it('reopens the closed claim with the reserves it closed with, and pays a second settlement on approval', async () => {
    const reopen = (user: User, reason = 'The roof leaks again: the repair failed') =>
      stack.api.post(`/api/v1/claims/${claimId}/reopen`).set(as(user)).send({ reason });
    await reopen(team.adjuster).expect(403);
    await reopen(team.claimant).expect(403);
    await reopen(outsider).expect(404);
    await reopen(team.manager, '').expect(400);
    const before = await Claim.findByPk(claimId, { rejectOnEmpty: true });

    const reopened = await reopen(team.manager).expect(200);
    expect(reopened.body).toMatchObject({ status: 'under_review', assigneeId: team.adjuster.id });
    expect(reopened.body.history.at(-1)).toMatchObject({ fromStatus: 'closed', toStatus: 'under_review', actorId: team.manager.id });
    const claim = await Claim.findByPk(claimId, { rejectOnEmpty: true });
    expect(claim.workflowId).toBe(`${before.workflowId}-reopened-1`);
    await reopen(team.manager).expect(409);
    // The new run restored what the closing released (the settlement's 500 came off the first reserve), and the
    // figures say so: the claim costs what it did before the approval.
    await waitUntil(
      async () => (await lines()).other === '3500.00',
      async () => `lines ${JSON.stringify(await lines())}`,
    );
    expect(await lines()).toEqual({ other: '3500.00', repair: '300.00' });
    expect(await figures()).toMatchObject({ outstanding: '3800.00', paid: '3000.00', incurred: '6800.00' });

    // Payments go on from the claim's earlier ones; the approval pays what is left after all that was paid.
    const more = await pay(team.adjuster, { costType: 'indemnity', category: 'repair', amount: 100, payee: REPAIRER }).expect(201);
    expect(more.body.payment.reference).toMatch(/-5$/);
    await decide(team.adjuster, more.body.payment.id, 'void').expect(200);
    const transition = (user: User, body: Record<string, unknown>) =>
      stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(user)).send(body);
    await transition(team.adjuster, { to: 'waiting_approval' }).expect(200);
    await transition(team.manager, { to: 'approved', approvedAmount: 2999 }).expect(422);
    await transition(team.manager, { to: 'approved', approvedAmount: 3200 }).expect(200);
    await waitUntil(
      async () => (await Claim.findByPk(claimId, { rejectOnEmpty: true })).status === 'closed',
      async () => `claim ${(await Claim.findByPk(claimId))?.status}`,
    );
    const settlements = await ClaimPayment.findAll({ where: { claimId, kind: 'settlement' }, order: [['createdAt', 'ASC']] });
    expect(settlements.map((payment) => [payment.amount, payment.reference.endsWith('-R1')])).toEqual([
      ['500.00', false],
      ['200.00', true],
    ]);
    expect(await figures()).toMatchObject({ outstanding: '0.00', paid: '3200.00', incurred: '3200.00' });
    await recordHistory(stack.temporal.workflow.getHandle(claim.workflowId), 'claimWorkflow-reopened');
  });

  it('issues yen payments in yen’s digits: the batch’s total, the file’s amounts and the events’ amounts have no decimals', async () => {
    const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'JPY' });
    const subscription = await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id });
    const yenClaim = await fileAssignedClaim(stack, team, subscription, { amountClaimed: 12000 });
    // Asked for by the manager, within whose limits they are approved at once (the adjuster's month is spent above).
    const payYen = (amount: string) =>
      stack.api
        .post(`/api/v1/claims/${yenClaim}/payments`)
        .set(as(team.manager))
        .send({ costType: 'indemnity', category: 'other', amount, payee: REPAIRER })
        .expect(201);
    const payments = [await payYen('500'), await payYen('700')];
    const created = await stack.api
      .post('/api/v1/payment-batches')
      .set(as(team.manager))
      .send({ debtor: DEBTOR, currency: 'JPY', requestedExecutionDate: '2026-12-01' })
      .expect(201);
    expect(created.body).toMatchObject({ currency: 'JPY', paymentCount: 2, total: '1200' });
    expect((await stack.api.get(`/api/v1/payment-batches/${created.body.id}`).set(as(team.manager)).expect(200)).body.total).toBe('1200');
    const listed = await stack.api.get('/api/v1/payment-batches').set(as(team.manager)).expect(200);
    expect(listed.body.items.find((batch: { id: string }) => batch.id === created.body.id).total).toBe('1200');

    const xml = (await stack.api.get(`/api/v1/payment-batches/${created.body.id}/file`).set(as(team.manager)).expect(200)).text;
    const validation = await validateXML({
      xml: [{ fileName: 'batch.xml', contents: xml }],
      schema: [{ fileName: 'pain.001.001.09.xsd', contents: schema }],
    });
    expect(validation.errors).toEqual([]);
    expect(xml.match(/<CtrlSum>[^<]*<\/CtrlSum>/g)).toEqual(['<CtrlSum>1200</CtrlSum>', '<CtrlSum>1200</CtrlSum>']);
    expect(xml.match(/<InstdAmt Ccy="JPY">[^<]*<\/InstdAmt>/g)).toEqual([
      '<InstdAmt Ccy="JPY">500</InstdAmt>',
      '<InstdAmt Ccy="JPY">700</InstdAmt>',
    ]);

    // The webhook events of the claim (recorded whether or not an endpoint listens) write its amounts as the API does,
    // and the catalogue's schema of each type takes them.
    const events = await WebhookEvent.findAll({ where: { subject: `claims/${yenClaim}` }, order: [['createdAt', 'ASC']] });
    const amountsOf = (type: string) =>
      events
        .filter((event) => event.type === type)
        .map(({ data }) => [data.amountClaimed ?? data.amountBefore ?? null, data.amount ?? null]);
    expect(amountsOf('claim.filed')).toEqual([['12000', null]]);
    expect(
      amountsOf('claim.payment_issued')
        .map(([, amount]) => amount)
        .sort(),
    ).toEqual(['500', '700']);
    expect(amountsOf('claim.reserve_changed')).toContainEqual(['12000', '11500']);
    const admin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    const catalogue = (await stack.api.get('/api/v1/webhooks/event-types').set(as(admin)).expect(200)).body.items as Array<{
      type: string;
      schema: object;
    }>;
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    addFormats(ajv);
    for (const event of events) {
      const valid = ajv.compile(catalogue.find((item) => item.type === event.type)!.schema);
      expect({ type: event.type, errors: valid(event.data) ? null : valid.errors }).toEqual({ type: event.type, errors: null });
    }
    expect(payments.map((payment) => payment.body.payment.amount)).toEqual(['500', '700']);
  });

  it('takes 0.10, 0.20 and then the 699.70 left off a 700.00 line exactly, leaving it at 0.00', async () => {
    // Its own claim and line, so the figures of the claim above stay as they are.
    const subscription = await buildSubscription({
      policyholderId: team.claimant.id,
      planId: (await buildPlan({ tenantId: team.tenant.id, currency: 'EUR' })).id,
    });
    const exactId = await fileAssignedClaim(stack, team, subscription, { amountClaimed: 700 });
    const payFromLine = (amount: string) =>
      stack.api
        .post(`/api/v1/claims/${exactId}/payments`)
        .set(as(team.adjuster))
        .send({ costType: 'indemnity', category: 'other', amount, payee: REPAIRER });
    await payFromLine('0.10').expect(201);
    await payFromLine('0.20').expect(201);
    // In floats the run held 700 - 0.1 - 0.2 = 699.6999999999999 and refused the 699.70 the row showed.
    const rest = await payFromLine('699.70');
    expect([rest.status, rest.body.error]).toEqual([201, undefined]);
    expect(await ClaimReserveLine.findAll({ where: { claimId: exactId } }).then((rows) => rows.map((row) => row.amount))).toEqual(['0.00']);
    await payFromLine('0.01').expect(409);
  });

  it('holds what an API key asks for for a person, whatever the key’s role: a payment waits, and a person approves it', async () => {
    const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'EUR' });
    const keysClaim = await fileAssignedClaim(stack, team, await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id }));
    // A claims manager's role has no limit: a person with it pays alone; a machine with it is nobody's approval.
    const key = await apiKeyHeader(stack, await buildUser({ role: 'tenant_admin', tenantId: team.tenant.id }), 'claims_manager');
    const asked = await stack.api
      .post(`/api/v1/claims/${keysClaim}/payments`)
      .set(key)
      .send({ costType: 'indemnity', category: 'other', amount: 100, payee: REPAIRER });
    expect([asked.status, asked.body.payment?.status, asked.body.payment?.approvedById]).toEqual([202, 'requested', null]);
    const approved = await stack.api
      .post(`/api/v1/claims/${keysClaim}/payments/${asked.body.payment.id}/approve`)
      .set(as(team.senior))
      .expect(200);
    expect(approved.body.payment).toMatchObject({ status: 'approved', approvedById: team.senior.id });
  });
});
