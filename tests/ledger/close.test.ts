/**
 * Closing a month (docs/ledger.md, Closing a month) through the API, with the run
 * `ledger-close-<tenantId>-<YYYY-MM>` on the dev server and a real worker: the close answers 202
 * and its run posts the month's earned premium and locks it with its trial balance; a payment
 * dated in the closed month is refused (409) and recorded once a tenant admin has reopened it;
 * the periods are the tenant's own and only finance and tenant admins reach them.
 */
import crypto from 'node:crypto';
import type Joi from 'joi';
import { ledgerPeriodSchema } from '../../src/api/ledger/periods-schemas';
import { pageSchema } from '../../src/api/lists/pagination';
import { ledgerCloseRun, type LedgerCloseWorkflow } from '../../src/contracts/ledger-close';
import { credit, debit, post } from '../../src/domain/ledger/post';
import { AuditEvent, Invoice, PremiumPayment, type Tenant, type User } from '../../src/models';
import { bearer, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { testStackOfBlock } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';
import { eventually, resultOf } from '../support/waiting';

describe('closing a month of the books', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let finance: User;
  let admin: User;
  let holder: User;
  let otherFinance: User;
  let invoice: Invoice;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const period = (user: User, month: string) => stack.api.get(`/api/v1/ledger/periods/${month}`).set(as(user));
  const closeMonth = (user: User, month: string) => stack.api.post(`/api/v1/ledger/periods/${month}/close`).set(as(user));
  const reopenMonth = (user: User, month: string, reason: string) =>
    stack.api.post(`/api/v1/ledger/periods/${month}/reopen`).set(as(user)).send({ reason });
  /** A payment of the January invoice received in January, recorded by hand. */
  const payInJanuary = () =>
    stack.api
      .post(`/api/v1/invoices/${invoice.id}/payments`)
      .set(as(admin))
      .send({ amount: '100.00', method: 'bank_transfer', receivedAt: '2025-01-20T10:00:00Z' });
  /** What the OpenAPI document declares of an answer, unknown fields refused (as the contract check reads it). */
  const declared = (schema: Joi.Schema, body: unknown) =>
    schema.validate(body, { allowUnknown: false, abortEarly: false }).error?.details.map((d) => `${d.path.join('.')}: ${d.message}`) ?? [];
  const totalsOf = (body: { trialBalance: { totals: { currency: string; debit: string; credit: string }[] } }) => body.trialBalance.totals;

  beforeAll(async () => {
    tenant = await buildTenant();
    finance = await buildUser({ tenantId: tenant.id, role: 'finance' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    otherFinance = await buildUser({ tenantId: (await buildTenant()).id, role: 'finance' });
    // Applied for in December 2024 for 2025's cover: its January payment comes after the application.
    const subscription = await buildSubscription({
      tenantId: tenant.id,
      policyholderId: holder.id,
      createdAt: new Date('2024-12-16T09:00:00Z'),
      startDate: '2025-01-01',
      endDate: '2026-01-01',
    });
    invoice = await Invoice.create({
      tenantId: tenant.id,
      subscriptionId: subscription.id,
      policyholderId: holder.id,
      number: `INV-2025-${crypto.randomInt(100_000, 999_999)}`,
      term: 0,
      sequence: 1,
      amountMinor: 36_500,
      currency: 'EUR',
      dueDate: '2025-01-01',
    });
    // The year's premium written on 1 January 2025, as billing posts it.
    await stack.db.sequelize.transaction((transaction) =>
      post(
        stack.db.sequelize,
        {
          tenantId: tenant.id,
          sourceType: 'invoice',
          sourceId: invoice.id,
          sourceKey: `invoice:${invoice.id}:issued`,
          description: 'Invoice issued',
          postedOn: '2025-01-01',
          currency: 'EUR',
          subscriptionId: subscription.id,
          term: 0,
          coverFrom: '2025-01-01',
          coverUntil: '2026-01-01',
          lines: [debit('premium_receivable', 36_500), credit('unearned_premium', 36_500)],
        },
        transaction,
      ),
    );
  });

  it('closes an ended month: 202 closing, then its run posts the premium earned in it and locks it with its trial balance, audited', async () => {
    const asked = await closeMonth(finance, '2025-01');
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ month: '2025-01', status: 'closing', workflowId: ledgerCloseRun.id(tenant.id, '2025-01') });

    const handle = stack.temporal.workflow.getHandle<LedgerCloseWorkflow>(asked.body.workflowId);
    expect(await resultOf(handle)).toEqual({ policies: 1, entries: 1 });
    await recordHistory(handle, 'ledgerCloseWorkflow');

    const closed = await period(finance, '2025-01');
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', closedById: finance.id, reopenedAt: null });
    expect(closed.body.trialBalance).toMatchObject({ asOf: '2025-01-31', balanced: true });
    expect([...declared(ledgerPeriodSchema, asked.body), ...declared(ledgerPeriodSchema, closed.body)]).toEqual([]);
    const accounts = Object.fromEntries(
      closed.body.trialBalance.accounts.map((a: { code: string; debit: string; credit: string }) => [a.code, [a.debit, a.credit]]),
    );
    // 31 of 365 days earned: 31.00 of 365.00.
    expect(accounts).toMatchObject({
      premium_receivable: ['365.00', '0.00'],
      unearned_premium: ['31.00', '365.00'],
      earned_premium: ['0.00', '31.00'],
    });
    expect(totalsOf(closed.body)).toEqual([{ currency: 'EUR', debit: '396.00', credit: '396.00', balanced: true }]);
    const audited = await AuditEvent.findAll({ where: { tenantId: tenant.id, action: 'ledger.period_closed', entityId: '2025-01' } });
    expect(audited.map((event) => [event.actorType, event.actorId])).toEqual([['user', finance.id]]);

    // Its run is described to the tenant's finance (GET /workflows/:id), and to nobody else (404).
    const runOf = (user: User) => stack.api.get(`/api/v1/workflows/${asked.body.workflowId}`).set(as(user));
    expect((await runOf(finance)).body).toMatchObject({
      workflowId: asked.body.workflowId,
      type: 'ledgerCloseWorkflow',
      status: 'COMPLETED',
    });
    expect([(await runOf(holder)).status, (await runOf(otherFinance)).status]).toEqual([404, 404]);

    const again = await closeMonth(admin, '2025-01');
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual([expect.objectContaining({ field: 'month', rule: 'ledger_period_closed' })]);
  });

  it('refuses a payment dated in the closed month (409, nothing recorded) until a tenant admin reopens it, audited; then takes it, and the month closes again', async () => {
    await eventually(
      async () => (await period(finance, '2025-01')).body.status,
      (status) => status === 'closed',
      'January closed by the test before',
    );
    const refused = await payInJanuary();
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ rule: 'ledger_period_closed' })]);
    expect(await PremiumPayment.count({ where: { invoiceId: invoice.id } })).toBe(0);
    expect((await invoice.reload()).status).toBe('open');

    expect((await reopenMonth(finance, '2025-01', 'A bank transfer of 20 January was found late')).status).toBe(403);
    const reopened = await reopenMonth(admin, '2025-01', 'A bank transfer of 20 January was found late');
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({
      status: 'reopened',
      reopenedById: admin.id,
      reopenReason: 'A bank transfer of 20 January was found late',
    });
    const events = await AuditEvent.findAll({ where: { tenantId: tenant.id, action: 'ledger.period_reopened', entityId: '2025-01' } });
    expect(events.map((event) => [event.actorId, event.changes])).toEqual([
      [
        admin.id,
        {
          status: { before: 'closed', after: 'reopened' },
          reopenReason: { before: null, after: 'A bank transfer of 20 January was found late' },
        },
      ],
    ]);
    expect((await reopenMonth(admin, '2025-01', 'Twice')).status).toBe(409);

    expect((await payInJanuary()).status).toBe(201);
    const closing = await closeMonth(finance, '2025-01');
    expect(closing.status).toBe(202);
    const closedAgain = await eventually(
      async () => (await period(finance, '2025-01')).body,
      // The lock comes first and the trial balance after it, in a transaction of its own.
      (body) => body.status === 'closed' && body.trialBalance !== null,
      'January closed again, its trial balance kept',
    );
    // The payment is in the new trial balance; January's earnings were posted once.
    expect(totalsOf(closedAgain)).toEqual([{ currency: 'EUR', debit: '496.00', credit: '496.00', balanced: true }]);
    expect(await AuditEvent.count({ where: { tenantId: tenant.id, action: 'ledger.period_closed', entityId: '2025-01' } })).toBe(2);

    const list = await stack.api.get('/api/v1/ledger/periods').set(as(admin));
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { month: string; status: string }) => [p.month, p.status])).toEqual([['2025-01', 'closed']]);
    expect(list.body.pagination).toMatchObject({ total: 1, hasMore: false });
    expect([...declared(pageSchema(ledgerPeriodSchema), list.body), ...declared(ledgerPeriodSchema, reopened.body)]).toEqual([]);
  });

  it('closes the months in order: a later month is refused (409 naming the earliest open one, nothing recorded) until every month from the first entry is closed, also when two are asked at once', async () => {
    const books = await buildTenant();
    const booksFinance = await buildUser({ tenantId: books.id, role: 'finance' });
    const policy = await buildSubscription({ tenantId: books.id, policyholderId: (await buildUser({ tenantId: books.id })).id });
    // A year's premium of 365.00 written on 1 January 2025: the tenant's books begin in January.
    await stack.db.sequelize.transaction((transaction) =>
      post(
        stack.db.sequelize,
        {
          tenantId: books.id,
          sourceType: 'invoice',
          sourceId: crypto.randomUUID(),
          sourceKey: `invoice:${policy.id}:in-order`,
          description: 'Invoice issued',
          postedOn: '2025-01-01',
          currency: 'EUR',
          subscriptionId: policy.id,
          term: 0,
          coverFrom: '2025-01-01',
          coverUntil: '2026-01-01',
          lines: [debit('premium_receivable', 36_500), credit('unearned_premium', 36_500)],
        },
        transaction,
      ),
    );
    const closedIn = (month: string) =>
      eventually(
        async () => (await period(booksFinance, month)).body,
        (body) => body.status === 'closed' && body.trialBalance !== null,
        `${month} closed`,
      );
    const earnedIn = async (month: string) =>
      (await closedIn(month)).trialBalance.accounts.find((a: { code: string }) => a.code === 'earned_premium')?.credit;

    const refused = await closeMonth(booksFinance, '2025-03');
    expect([refused.status, refused.body.error?.message, refused.body.error?.details]).toEqual([
      409,
      expect.stringContaining('2025-01'),
      [expect.objectContaining({ field: 'month', rule: 'ledger_period_open_before' })],
    ]);
    expect((await period(booksFinance, '2025-03')).status).toBe(404);
    await expect(stack.temporal.workflow.getHandle(ledgerCloseRun.id(books.id, '2025-03')).describe()).rejects.toThrow();

    expect((await closeMonth(booksFinance, '2025-01')).status).toBe(202);
    expect(await earnedIn('2025-01')).toBe('31.00');

    // February and March asked at once: February closes, March waits for it.
    const [february, march] = await Promise.all([closeMonth(booksFinance, '2025-02'), closeMonth(booksFinance, '2025-03')]);
    expect([february.status, march.status, march.body.error?.message]).toEqual([202, 409, expect.stringContaining('2025-02')]);
    expect((await period(booksFinance, '2025-03')).status).toBe(404);
    // Each month earns its own days: 28 in February, then 31 in March.
    expect(await earnedIn('2025-02')).toBe('59.00');
    expect((await closeMonth(booksFinance, '2025-03')).status).toBe(202);
    expect(await earnedIn('2025-03')).toBe('90.00');
  });

  it('reopens the latest closed month first: an earlier one is refused while a later month is closed (409 naming it, nothing changed), so no closed month keeps a trial balance or earnings the reopened one has moved', async () => {
    const books = await buildTenant();
    const booksFinance = await buildUser({ tenantId: books.id, role: 'finance' });
    const booksAdmin = await buildUser({ tenantId: books.id, role: 'tenant_admin' });
    const policy = await buildSubscription({ tenantId: books.id, policyholderId: (await buildUser({ tenantId: books.id })).id });
    await stack.db.sequelize.transaction((transaction) =>
      post(
        stack.db.sequelize,
        {
          tenantId: books.id,
          sourceType: 'invoice',
          sourceId: crypto.randomUUID(),
          sourceKey: `invoice:${policy.id}:reopen-order`,
          description: 'Invoice issued',
          postedOn: '2025-01-01',
          currency: 'EUR',
          subscriptionId: policy.id,
          term: 0,
          coverFrom: '2025-01-01',
          coverUntil: '2026-01-01',
          lines: [debit('premium_receivable', 36_500), credit('unearned_premium', 36_500)],
        },
        transaction,
      ),
    );
    for (const month of ['2025-01', '2025-02']) {
      expect((await closeMonth(booksFinance, month)).status).toBe(202);
      await eventually(
        async () => (await period(booksFinance, month)).body,
        (body) => body.status === 'closed' && body.trialBalance !== null,
        `${month} closed`,
      );
    }

    const refused = await reopenMonth(booksAdmin, '2025-01', 'A bank transfer of 20 January was found late');
    expect([refused.status, refused.body.error?.message, refused.body.error?.details]).toEqual([
      409,
      expect.stringContaining('2025-02'),
      [expect.objectContaining({ field: 'month', rule: 'ledger_period_closed_after' })],
    ]);
    expect((await period(booksFinance, '2025-01')).body).toMatchObject({ status: 'closed', reopenedAt: null });
    expect(await AuditEvent.count({ where: { tenantId: books.id, action: 'ledger.period_reopened' } })).toBe(0);

    // February reopened first, then January: each audited, and each closes again in order.
    expect((await reopenMonth(booksAdmin, '2025-02', 'January is to be reopened')).status).toBe(200);
    expect((await reopenMonth(booksAdmin, '2025-01', 'A bank transfer of 20 January was found late')).body).toMatchObject({
      status: 'reopened',
    });
    const closeFebruaryFirst = await closeMonth(booksFinance, '2025-02');
    expect([closeFebruaryFirst.status, closeFebruaryFirst.body.error?.details?.[0]?.rule]).toEqual([409, 'ledger_period_open_before']);
  });

  it('answers a policyholder 403, another tenant nothing of this one’s periods (404), a malformed month 400 and a month not over 422', async () => {
    expect((await period(holder, '2025-01')).status).toBe(403);
    expect((await closeMonth(holder, '2024-12')).status).toBe(403);
    expect((await stack.api.get('/api/v1/ledger/periods').set(as(holder))).status).toBe(403);

    expect((await period(otherFinance, '2025-01')).status).toBe(404);
    expect((await stack.api.get('/api/v1/ledger/periods').set(as(otherFinance))).body.items).toEqual([]);
    expect(
      (await reopenMonth(await buildUser({ tenantId: otherFinance.tenantId, role: 'tenant_admin' }), '2025-01', 'Not mine')).status,
    ).toBe(404);

    for (const month of ['2025-13', '25-01', '2025-1', '0000-01', '2025-01-01']) {
      const refused = await closeMonth(finance, month);
      expect([month, refused.status]).toEqual([month, 400]);
    }
    // This month is not over when the API judges it: taken in a day that lasts past these requests, not in a month's last seconds.
    const now = new Date(`${await utcDayLasting()}T00:00:00Z`);
    const thisMonth = now.toISOString().slice(0, 7);
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
    for (const month of [thisMonth, nextMonth]) {
      const refused = await closeMonth(finance, month);
      expect([month, refused.status, refused.body.error.details]).toEqual([month, 422, [expect.objectContaining({ field: 'month' })]]);
      expect((await period(finance, month)).status).toBe(404);
    }
  });
});
