/**
 * Premium invoices over REST (real PostgreSQL, the API in process): who sees which invoice, and
 * manual payments: tenant admins only (`recordPremiumPayment`; claims managers approve claims, so they do not make a policy cover), exact amounts in the invoice's currency, once per Idempotency-Key,
 * two at once applied one after the other, an amount beyond what is owed refused unless its excess is marked credit
 * (docs/premiums.md).
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { AuditEvent, Invoice, PremiumPayment, Tenant, TenantSettings, User } from '../../src/models';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { apiClient } from '../support/graphql';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('premium invoices and manual payments', () => {
  const stack = testStackOfBlock({ worker: false });
  let tenant: Tenant;
  let staff: User;
  let people: Record<'agent' | 'manager' | 'holder' | 'otherHolder' | 'outsider', User>;
  const { graphql } = apiClient(() => stack);
  let auth: Record<'staff' | 'agent' | 'manager' | 'holder' | 'otherHolder' | 'outsider', string>;
  let subscriptionId: string;
  let policyNumber: string;
  let invoices: Invoice[];
  let yenInvoice: Invoice;

  beforeAll(async () => {
    tenant = await buildTenant();
    const other = await buildTenant();
    staff = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const [agent, manager, holder, otherHolder, outsider] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
      buildUser({ tenantId: tenant.id, role: 'claims_manager' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: other.id, role: 'tenant_admin' }),
    ]);
    people = { agent, manager, holder, otherHolder, outsider };
    auth = {
      staff: bearer(stack.config, staff),
      agent: bearer(stack.config, agent),
      manager: bearer(stack.config, manager),
      holder: bearer(stack.config, holder),
      otherHolder: bearer(stack.config, otherHolder),
      outsider: bearer(stack.config, outsider),
    };
    const plan = await buildPlan({ tenantId: tenant.id, billingFrequency: 'monthly', premium: '100.00', currency: 'EUR' });
    const subscription = await buildSubscription({ planId: plan.id, policyholderId: holder.id });
    subscriptionId = subscription.id;
    policyNumber = subscription.policyNumber;
    await billCurrentTerm(stack.db.sequelize, subscription.id);
    invoices = await Invoice.findAll({ where: { subscriptionId }, order: [['sequence', 'ASC']] });
    const yenPlan = await buildPlan({ tenantId: tenant.id, premium: '12000.00', currency: 'JPY' });
    const yen = await buildSubscription({ planId: yenPlan.id, policyholderId: otherHolder.id });
    [yenInvoice] = await Promise.all(
      (await billCurrentTerm(stack.db.sequelize, yen.id)).map(({ id }) => Invoice.findByPk(id, { rejectOnEmpty: true })),
    );
  });

  const pay = (invoiceId: string, who: string, body: Record<string, unknown>, key = crypto.randomUUID()) =>
    stack.api.post(`/api/v1/invoices/${invoiceId}/payments`).set('Authorization', who).set('Idempotency-Key', key).send(body);

  it("lists a subscription's invoices to its holder and staff, with amounts that add up to the premium", async () => {
    const listed = await stack.api
      .get(`/api/v1/subscriptions/${subscriptionId}/invoices?pageSize=100`)
      .set('Authorization', auth.holder)
      .expect(200);
    expect(listed.body.items).toHaveLength(12);
    expect(listed.body.items[0]).toMatchObject({ amount: '8.37', amountMinor: 837, currency: 'EUR', status: 'open', sequence: 1 });
    expect(listed.body.items.slice(1).map((invoice: { amount: string }) => invoice.amount)).toEqual(Array(11).fill('8.33'));
    await stack.api.get(`/api/v1/subscriptions/${subscriptionId}/invoices`).set('Authorization', auth.otherHolder).expect(404);
    await stack.api.get(`/api/v1/subscriptions/${subscriptionId}/invoices`).set('Authorization', auth.outsider).expect(404);
  });

  it("orders a subscription's invoices due the same day by term and instalment, then id, whichever way the ids sort", async () => {
    const plan = await buildPlan({ tenantId: tenant.id, premium: '100.00', currency: 'EUR' });
    const subscription = await buildSubscription({ planId: plan.id, policyholderId: people.holder.id });
    // Five instalments due the same day whose ids sort the other way round: the id alone would list them 5, 4, 3, 2, 1.
    const ids = Array.from({ length: 5 }, () => crypto.randomUUID())
      .sort()
      .reverse();
    await Invoice.bulkCreate(
      ids.map((id, index) => ({
        id,
        tenantId: tenant.id,
        subscriptionId: subscription.id,
        policyholderId: people.holder.id,
        number: `INV-TIE-${id.slice(0, 8)}`,
        term: 0,
        sequence: index + 1,
        amountMinor: 2000,
        currency: 'EUR',
        dueDate: '2027-01-15',
      })),
    );
    const listed = async (ordering: string) =>
      (
        await stack.api
          .get(`/api/v1/subscriptions/${subscription.id}/invoices?ordering=${ordering}&pageSize=3`)
          .set('Authorization', auth.holder)
          .expect(200)
      ).body.items.map((invoice: { sequence: number }) => invoice.sequence);
    expect(await listed('dueDate')).toEqual([1, 2, 3]);
    expect(await listed('-dueDate')).toEqual([5, 4, 3]);
  });

  it('lets a policyholder see only their own invoices and another tenant none (404)', async () => {
    const own = await stack.api.get('/api/v1/invoices?pageSize=100').set('Authorization', auth.otherHolder).expect(200);
    expect(own.body.items.map((invoice: { id: string }) => invoice.id)).toEqual([yenInvoice.id]);
    await stack.api.get(`/api/v1/invoices/${invoices[0].id}`).set('Authorization', auth.otherHolder).expect(404);
    await stack.api.get(`/api/v1/invoices/${invoices[0].id}`).set('Authorization', auth.outsider).expect(404);
    const outsiders = await stack.api.get('/api/v1/invoices').set('Authorization', auth.outsider).expect(200);
    expect(outsiders.body.items).toEqual([]);
  });

  it('filters staff lists by status, overdue, due date and invoice or policy number', async () => {
    const byNumber = await stack.api
      .get(`/api/v1/invoices?q=${invoices[3].number.toLowerCase()}`)
      .set('Authorization', auth.agent)
      .expect(200);
    expect(byNumber.body.items.map((invoice: { id: string }) => invoice.id)).toEqual([invoices[3].id]);
    const byPolicy = await stack.api.get(`/api/v1/invoices?q=${policyNumber}&pageSize=100`).set('Authorization', auth.agent).expect(200);
    expect(byPolicy.body.pagination.total).toBe(12);
    // The first instalment was due on the first day of cover, last month: past due and unpaid.
    const overdue = await stack.api.get('/api/v1/invoices?overdue=true&pageSize=100').set('Authorization', auth.staff).expect(200);
    expect(overdue.body.items.map((invoice: { id: string }) => invoice.id)).toEqual(
      expect.arrayContaining([invoices[0].id, yenInvoice.id]),
    );
    expect(overdue.body.items.every((invoice: { dueDate: string }) => invoice.dueDate < new Date().toISOString().slice(0, 10))).toBe(true);
    const dueBefore = await stack.api
      .get(`/api/v1/invoices?dueBefore=${invoices[2].dueDate}&status=open&q=${policyNumber}`)
      .set('Authorization', auth.staff)
      .expect(200);
    expect(dueBefore.body.items.map((invoice: { id: string }) => invoice.id)).toEqual([invoices[0].id, invoices[1].id]);
    // The numbers' prefixes alone are starts of a number too (docs/premiums.md): every invoice, every policy's.
    for (const prefix of ['pol-', 'POL', 'inv-']) {
      const byPrefix = await stack.api.get(`/api/v1/invoices?q=${prefix}&pageSize=100`).set('Authorization', auth.agent).expect(200);
      expect(byPrefix.body.items.map((invoice: { id: string }) => invoice.id)).toEqual(
        expect.arrayContaining([invoices[0].id, invoices[3].id]),
      );
    }
    await stack.api.get('/api/v1/invoices?q=POLX').set('Authorization', auth.staff).expect(400);
    await stack.api.get('/api/v1/invoices?q=%25%25%25').set('Authorization', auth.staff).expect(400);
    await stack.api.get('/api/v1/invoices?q=null').set('Authorization', auth.staff).expect(400);
    await stack.api.get('/api/v1/invoices?dueBefore=yesterday').set('Authorization', auth.staff).expect(400);
    // A month the calendar does not have is the client's error, never PostgreSQL's (it answered 500).
    await stack.api.get('/api/v1/invoices?dueBefore=8637-88-16').set('Authorization', auth.staff).expect(400);
    // Nor a year PostgreSQL's dates do not have (0000 and before answered 500), nor a day written with an expanded year,
    // which went round the calendar check (+002026-02-30 was 2 March).
    for (const dueBefore of ['0000-01-01', '-000001-01-01', '+002026-02-30']) {
      const refused = await stack.api.get('/api/v1/invoices').query({ dueBefore }).set('Authorization', auth.staff).expect(400);
      expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'query.dueBefore' })]);
    }
  });

  it('refuses a manual payment from a policyholder (403), for another tenant (404) and in amounts the currency cannot hold (422), recording nothing', async () => {
    await pay(invoices[0].id, auth.holder, { amount: '8.37', method: 'bank_transfer' }).expect(403);
    await pay(invoices[0].id, auth.outsider, { amount: '8.37', method: 'bank_transfer' }).expect(404);
    const cents = await pay(invoices[0].id, auth.staff, { amount: '8.375', method: 'bank_transfer' }).expect(422);
    expect(cents.body.error.details).toEqual([expect.objectContaining({ field: 'amount' })]);
    await pay(yenInvoice.id, auth.staff, { amount: '1000.5', method: 'cheque' }).expect(422);
    await pay(invoices[0].id, auth.staff, { amount: '0.00', method: 'cheque' }).expect(422);
    await pay(invoices[0].id, auth.staff, { amount: '-1', method: 'cheque' }).expect(400);
    await pay(invoices[0].id, auth.staff, { amount: 8.37, method: 'cheque' }).expect(400);
    await pay(invoices[0].id, auth.staff, { amount: '8.37', method: 'barter' }).expect(400);
    await pay(invoices[0].id, auth.staff, { amount: '8.37', method: 'cheque', reference: 'x'.repeat(201) }).expect(400);
    expect(await PremiumPayment.count({ where: { tenantId: tenant.id } })).toBe(0);
    expect(await Invoice.count({ where: { subscriptionId, status: 'paid' } })).toBe(0);
  });

  it('refuses a manual payment received before 2000 or on a day not in the calendar (400) over REST and GraphQL, recording nothing and posting no entry', async () => {
    // Year 1 passed the schema: the payment, the invoice's paidAt and a cash entry dated 0001-01-01, before any month the books close.
    const invoice = invoices[9];
    // A day not in the calendar was recorded as another one: 2026-02-30 as 2 March.
    for (const receivedAt of ['0001-01-01', '1970-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2026-02-30', '2026-04-31T10:00:00Z']) {
      const refused = await pay(invoice.id, auth.staff, { amount: '8.33', method: 'bank_transfer', receivedAt }).expect(400);
      expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'body.receivedAt' })]);
    }
    const PAY = `mutation ($id: ID!) { recordManualPayment(id: $id, amount: "8.33", method: bank_transfer, receivedAt: "1970-01-01T00:00:00Z") { id } }`;
    expect((await graphql(PAY, { id: invoice.id }, staff)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await PremiumPayment.count({ where: { invoiceId: invoice.id } })).toBe(0);
    expect(await Invoice.findByPk(invoice.id, { rejectOnEmpty: true })).toMatchObject({ status: 'open', paidAt: null });
    const [{ entries }] = await stack.db.sequelize.query<{ entries: string }>(
      'SELECT count(*) AS entries FROM journal_entries WHERE tenant_id = :tenantId AND posted_on < :floor',
      { replacements: { tenantId: tenant.id, floor: '2000-01-01' }, type: QueryTypes.SELECT },
    );
    expect(Number(entries)).toBe(0);
  });

  it('refuses a manual payment received before its policy was applied for (422 naming the first day) over REST and GraphQL, recording nothing; one received before its invoice was issued is recorded', async () => {
    // Applied for on 10 March, cover from 1 April; the term's invoices are issued today, as billing issues them.
    const plan = await buildPlan({ tenantId: tenant.id, premium: '300.26', currency: 'USD' });
    const subscription = await buildSubscription({
      planId: plan.id,
      policyholderId: people.holder.id,
      createdAt: new Date('2026-03-10T15:00:00Z'),
      startDate: '2026-04-01',
      endDate: '2027-04-01',
    });
    const [{ id: invoiceId }] = await billCurrentTerm(stack.db.sequelize, subscription.id);
    // A year and a half early (a mistyped year): it made the books hold cash before the policy existed.
    const refused = await pay(invoiceId, auth.staff, { amount: '300.26', method: 'bank_transfer', receivedAt: '2025-06-15' }).expect(422);
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({ field: 'receivedAt', rule: 'received_before_policy', message: expect.stringContaining('2026-03-10') }),
    ]);
    const PAY = `mutation ($id: ID!) { recordManualPayment(id: $id, amount: "300.26", method: bank_transfer, receivedAt: "2026-03-09T23:59:59Z") { id } }`;
    const viaGraphql = await graphql(PAY, { id: invoiceId }, staff);
    expect(viaGraphql.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(viaGraphql.errors?.[0].message).toContain('applied for');
    expect(await PremiumPayment.count({ where: { invoiceId } })).toBe(0);
    const [{ entries }] = await stack.db.sequelize.query<{ entries: string }>(
      'SELECT count(*) AS entries FROM journal_entries WHERE tenant_id = :tenantId AND posted_on < :applied',
      { replacements: { tenantId: tenant.id, applied: '2026-03-10' }, type: QueryTypes.SELECT },
    );
    expect(Number(entries)).toBe(0);
    // Paid on the day it was applied for, before the instalment's invoice was issued: real money, recorded.
    await pay(invoiceId, auth.staff, { amount: '300.26', method: 'bank_transfer', receivedAt: '2026-03-10' }).expect(201);
    expect(await Invoice.findByPk(invoiceId, { rejectOnEmpty: true })).toMatchObject({
      status: 'paid',
      paidAt: new Date('2026-03-10T00:00:00Z'),
    });
  });

  it("takes a payment on the day its policy was applied for as the tenant's calendar reads it, and refuses the day before", async () => {
    // Applied for at 20:00 in Los Angeles on 10 March, 04:00 on 11 March in UTC; staff there type the 10th.
    const pacific = await buildTenant();
    await TenantSettings.upsert({ tenantId: pacific.id, values: { timeZone: 'America/Los_Angeles' } });
    const admin = bearer(stack.config, await buildUser({ tenantId: pacific.id, role: 'tenant_admin' }));
    const plan = await buildPlan({ tenantId: pacific.id, premium: '120.00', currency: 'USD' });
    const subscription = await buildSubscription({
      planId: plan.id,
      createdAt: new Date('2026-03-11T04:00:00Z'),
      startDate: '2026-04-01',
      endDate: '2027-04-01',
    });
    const [{ id: invoiceId }] = await billCurrentTerm(stack.db.sequelize, subscription.id);
    const refused = await pay(invoiceId, admin, { amount: '120.00', method: 'cheque', receivedAt: '2026-03-09' }).expect(422);
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({
        field: 'receivedAt',
        message: `not before 2026-03-10, the day policy ${subscription.policyNumber} was applied for`,
      }),
    ]);
    await pay(invoiceId, admin, { amount: '120.00', method: 'cheque', receivedAt: '2026-03-10' }).expect(201);
  });

  it('records manual payments for tenant admins only: other staff, claims managers too, 403, recording nothing', async () => {
    const invoice = invoices[6];
    const others = await Promise.all(
      // Finance keeps the books (closes months, reconciles): it does not record the money it reconciles. A claims manager
      // approves claims and their payments: marking a premium paid would let them make the policy cover that a claim needs.
      (['claims_agent', 'adjuster', 'senior_adjuster', 'claims_manager', 'compliance_officer', 'finance'] as const).map((role) =>
        buildUser({ tenantId: tenant.id, role }),
      ),
    );
    for (const user of others) {
      const refused = await pay(invoice.id, bearer(stack.config, user), { amount: '8.33', method: 'bank_transfer' });
      expect([user.role, refused.status, refused.body.error?.code]).toEqual([user.role, 403, 'forbidden']);
    }
    expect(await PremiumPayment.count({ where: { invoiceId: invoice.id } })).toBe(0);
    expect(await Invoice.findByPk(invoice.id, { rejectOnEmpty: true })).toMatchObject({ status: 'open' });

    const byAdmin = await pay(invoice.id, auth.staff, { amount: '8.33', method: 'bank_transfer' }).expect(201);
    expect(byAdmin.body).toMatchObject({ payment: { recordedById: staff.id }, invoice: { status: 'paid' } });
  });

  it('records a payment once per Idempotency-Key and marks the invoice paid, audited', async () => {
    const key = crypto.randomUUID();
    const first = await pay(invoices[0].id, auth.staff, { amount: '8.37', method: 'bank_transfer', reference: 'SEPA 0042' }, key).expect(
      201,
    );
    const again = await pay(invoices[0].id, auth.staff, { amount: '8.37', method: 'bank_transfer', reference: 'SEPA 0042' }, key).expect(
      201,
    );
    expect(again.body.payment.id).toBe(first.body.payment.id);
    expect(first.body).toMatchObject({
      payment: {
        amount: '8.37',
        amountMinor: 837,
        creditMinor: 0,
        method: 'bank_transfer',
        reference: 'SEPA 0042',
        recordedById: staff.id,
      },
      invoice: { id: invoices[0].id, status: 'paid' },
    });
    expect(await PremiumPayment.count({ where: { invoiceId: invoices[0].id } })).toBe(1);
    const detail = await stack.api.get(`/api/v1/invoices/${invoices[0].id}`).set('Authorization', auth.holder).expect(200);
    expect(detail.body).toMatchObject({ status: 'paid', payments: [{ id: first.body.payment.id, amount: '8.37' }], refunds: [] });
    expect(await AuditEvent.count({ where: { action: 'invoice.payment', entityId: invoices[0].id, actorId: staff.id } })).toBe(1);

    const yen = await pay(yenInvoice.id, auth.staff, { amount: '12000', method: 'cheque' }).expect(201);
    expect(yen.body).toMatchObject({ payment: { amount: '12000', amountMinor: 12000 }, invoice: { status: 'paid' } });
  });

  it('records a payment once when its request is repeated after the API stopped between the commit and the answer', async () => {
    const key = crypto.randomUUID();
    const body = { amount: '8.33', method: 'bank_transfer' };
    const first = await pay(invoices[4].id, auth.staff, body, key).expect(201);
    // What a process killed after the payment committed leaves: the key's attempt unanswered, long ago.
    await stack.db.sequelize.query(
      `UPDATE idempotency_records SET response_status = NULL, response_body = NULL,
              created_at = now() - interval '1 hour', updated_at = now() - interval '1 hour' WHERE key = :key`,
      { replacements: { key } },
    );
    const repeated = await pay(invoices[4].id, auth.staff, body, key).expect(201);
    expect(repeated.body.payment.id).toBe(first.body.payment.id);
    expect(await PremiumPayment.count({ where: { invoiceId: invoices[4].id } })).toBe(1);
    const [{ entries }] = await stack.db.sequelize.query<{ entries: string }>(
      "SELECT count(*) AS entries FROM journal_entries WHERE source_type = 'premium_payment' AND source_id = :id",
      { replacements: { id: first.body.payment.id }, type: QueryTypes.SELECT },
    );
    expect(Number(entries)).toBe(1);
  });

  it('refuses a payment beyond what the invoice still owes (422 naming it, nothing recorded) unless its excess is marked credit; of two at once the second is refused', async () => {
    const entriesOf = async (invoiceId: string) => {
      const [{ entries }] = await stack.db.sequelize.query<{ entries: string }>(
        `SELECT count(*) AS entries FROM journal_entries e JOIN premium_payments p ON p.id = e.source_id
          WHERE e.source_type = 'premium_payment' AND p.invoice_id = :invoiceId`,
        { replacements: { invoiceId }, type: QueryTypes.SELECT },
      );
      return Number(entries);
    };
    const over = await pay(invoices[1].id, auth.staff, { amount: '10.00', method: 'cheque' }).expect(422);
    expect(over.body.error.message).toBe(`Invoice ${invoices[1].number} owes 8.33 EUR: a payment of 10.00 EUR goes beyond it`);
    expect(over.body.error.details).toEqual([expect.objectContaining({ field: 'amount', rule: 'payment_beyond_outstanding' })]);
    expect(await PremiumPayment.count({ where: { invoiceId: invoices[1].id } })).toBe(0);
    expect(await entriesOf(invoices[1].id)).toBe(0);
    expect(await Invoice.findByPk(invoices[1].id, { rejectOnEmpty: true })).toMatchObject({ status: 'open' });

    const asCredit = await pay(invoices[1].id, auth.staff, { amount: '10.00', method: 'cheque', excessAsCredit: true }).expect(201);
    expect(asCredit.body).toMatchObject({ payment: { amountMinor: 1000, creditMinor: 167 }, invoice: { status: 'paid' } });

    const both = await Promise.all([
      pay(invoices[2].id, auth.staff, { amount: '8.33', method: 'bank_transfer' }),
      pay(invoices[2].id, auth.staff, { amount: '8.33', method: 'cheque' }),
    ]);
    expect(both.map((response) => response.status).sort()).toEqual([201, 422]);
    const refused = both.find((response) => response.status === 422)!;
    expect(refused.body.error.message).toBe(`Invoice ${invoices[2].number} owes nothing (paid): a payment of 8.33 EUR goes beyond it`);
    expect(await PremiumPayment.findAll({ where: { invoiceId: invoices[2].id } })).toEqual([expect.objectContaining({ creditMinor: 0 })]);
    expect(await entriesOf(invoices[2].id)).toBe(1);
    expect(await Invoice.findByPk(invoices[2].id, { rejectOnEmpty: true })).toMatchObject({ status: 'paid' });

    // Money that did arrive twice is kept, all of it credit, when staff say so.
    const again = await pay(invoices[2].id, auth.staff, { amount: '8.33', method: 'cheque', excessAsCredit: true }).expect(201);
    expect(again.body.payment).toMatchObject({ amountMinor: 833, creditMinor: 833 });
  });

  it('serves the same invoices and manual payment over GraphQL, under the same rules', async () => {
    const SUBSCRIPTION_INVOICES = `query ($id: ID!) { subscription(id: $id) { invoices(first: 2) { totalCount nodes { number amount currency status } } } }`;
    const listed = await graphql(SUBSCRIPTION_INVOICES, { id: subscriptionId }, people.holder);
    expect(listed.data).toEqual({
      subscription: {
        invoices: {
          totalCount: 12,
          nodes: [
            { number: invoices[0].number, amount: '8.37', currency: 'EUR', status: 'paid' },
            { number: invoices[1].number, amount: '8.33', currency: 'EUR', status: 'paid' },
          ],
        },
      },
    });
    // A cursor whose due date PostgreSQL's dates do not have (2026-02-30, year 0000) failed in the statement with 500.
    const AFTER = `query ($id: ID!, $after: String) { subscription(id: $id) { invoices(after: $after) { totalCount } } }`;
    for (const dueDate of ['2026-02-30', '0000-01-01']) {
      const after = Buffer.from(JSON.stringify(['dueDate', dueDate, invoices[0].id])).toString('base64url');
      expect((await graphql(AFTER, { id: subscriptionId, after }, people.holder)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    const INVOICE = `query ($id: ID!) { invoice(id: $id) { number status payments { amount method } refunds { amount } } }`;
    expect((await graphql(INVOICE, { id: invoices[0].id }, people.otherHolder)).data).toEqual({ invoice: null });
    expect((await graphql(INVOICE, { id: invoices[0].id }, people.outsider)).data).toEqual({ invoice: null });

    const PAY = `mutation ($id: ID!, $amount: String!, $key: String) {
      recordManualPayment(id: $id, amount: $amount, method: cheque, reference: "CHQ 7", idempotencyKey: $key) { status payments { amount method } } }`;
    const byHolder = await graphql(PAY, { id: invoices[5].id, amount: '8.33' }, people.holder);
    expect(byHolder.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const byOutsider = await graphql(PAY, { id: invoices[5].id, amount: '8.33' }, people.outsider);
    expect(byOutsider.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    for (const refused of [people.agent, people.manager])
      expect((await graphql(PAY, { id: invoices[5].id, amount: '8.33' }, refused)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const tooPrecise = await graphql(PAY, { id: invoices[5].id, amount: '8.333' }, staff);
    expect(tooPrecise.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await PremiumPayment.count({ where: { invoiceId: invoices[5].id } })).toBe(0);

    const key = crypto.randomUUID();
    const paid = await graphql(PAY, { id: invoices[5].id, amount: '8.33', key }, staff);
    const again = await graphql(PAY, { id: invoices[5].id, amount: '8.33', key }, staff);
    expect(paid.data).toEqual({ recordManualPayment: { status: 'paid', payments: [{ amount: '8.33', method: 'cheque' }] } });
    expect(again.data).toEqual(paid.data);
    expect(await PremiumPayment.count({ where: { invoiceId: invoices[5].id } })).toBe(1);

    // The same money recorded again without its key: beyond what the paid invoice owes, refused unless marked credit.
    const twice = await graphql(PAY, { id: invoices[5].id, amount: '8.33' }, staff);
    expect(twice.errors?.[0]).toMatchObject({
      message: `Invoice ${invoices[5].number} owes nothing (paid): a payment of 8.33 EUR goes beyond it`,
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const CREDIT = `mutation ($id: ID!) {
      recordManualPayment(id: $id, amount: "1.00", method: cheque, excessAsCredit: true) { status payments { amount } } }`;
    expect((await graphql(CREDIT, { id: invoices[5].id }, staff)).data).toEqual({
      recordManualPayment: { status: 'paid', payments: [{ amount: '8.33' }, { amount: '1.00' }] },
    });
  });
});
