/**
 * A refund owed by hand recorded paid back (docs/premiums.md, Refunds paid back by hand), over REST and
 * GraphQL on real PostgreSQL with the API in process: tenant admins and claims managers only (`recordRefundPaid`),
 * an owed refund only, the
 * row, its audit record and its entry in the books (Dr refunds payable, Cr cash, dated the day paid)
 * in one transaction, once per pay-back, and refused whole when anything is wrong.
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { compareBooks } from '../../src/domain/ledger/reconciliation';
import { refundOnCancellation } from '../../src/domain/premiums/refunds';
import { AuditEvent, PremiumRefund, type User } from '../../src/models';
import { apiClient } from '../support/graphql';
import { bearer, buildUser } from '../support/factories';
import { buildMonthlyPolicyPaidTwice, statementFigures } from '../support/premiums';
import { testStackOfBlock } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';

const system = { actor: { type: 'system' as const, id: null } };

const stack = testStackOfBlock({ worker: false });
const { graphql } = apiClient(() => stack);

/**
 * 120.00 EUR billed monthly over 2026, the first two instalments paid (by hand, or the second by card),
 * cancelled on 21 January: 20.00 − 6.58 earned = 13.42 back, the latest payment's 10.00 first, then 3.42.
 */
async function cancelledPolicy(options: { card?: boolean } = {}) {
  const { plan, holder, subscription, invoices } = await buildMonthlyPolicyPaidTwice(stack.db.sequelize, options);
  await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-01-21T12:00:00Z') });
  const [latest, first] = await refundOnCancellation(stack.db.sequelize, subscription.id, system);
  const [admin, manager] = await Promise.all([
    buildUser({ tenantId: plan.tenantId, role: 'tenant_admin' }),
    buildUser({ tenantId: plan.tenantId, role: 'claims_manager' }),
  ]);
  return { tenantId: plan.tenantId, subscription, invoices, holder, admin, manager, latest, first };
}

const payBack = (invoiceId: string, refundId: string, who: User, body: Record<string, unknown>, key = crypto.randomUUID()) =>
  stack.api
    .post(`/api/v1/invoices/${invoiceId}/refunds/${refundId}/paid`)
    .set('Authorization', bearer(stack.config, who))
    .set('Idempotency-Key', key)
    .send(body);

const query = <T extends object>(sql: string, replacements: Record<string, unknown>) =>
  stack.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

/** The lines of the refund's `paid` entry by account, and the day it is dated; undefined when none was posted. */
async function paidEntryOf(tenantId: string, refundId: string) {
  const [entry] = await query<{ id: string; postedOn: string }>(
    `SELECT id, posted_on::text AS "postedOn" FROM journal_entries WHERE tenant_id = :tenantId AND source_key = :key`,
    { tenantId, key: `premium_refund:${refundId}:paid` },
  );
  if (!entry) return undefined;
  const lines = await query<{ account: string; debit: number; credit: number }>(
    `SELECT account_code AS account, debit_minor::float8 AS debit, credit_minor::float8 AS credit
       FROM journal_lines WHERE entry_id = :id ORDER BY account_code`,
    { id: entry.id },
  );
  return { postedOn: entry.postedOn, lines: lines.map(({ account, debit, credit }) => [account, debit, credit]) };
}

/** Nothing of a pay-back was recorded: the refund still owed, no entry, no audit record. */
async function expectStillOwed(tenantId: string, refundId: string) {
  expect(await PremiumRefund.findByPk(refundId, { rejectOnEmpty: true })).toMatchObject({
    status: 'owed',
    paidAt: null,
    paidReference: null,
  });
  expect(await paidEntryOf(tenantId, refundId)).toBeUndefined();
  expect(await AuditEvent.count({ where: { action: 'invoice.refund_paid', tenantId } })).toBe(0);
}

describe('a refund owed by hand, recorded paid back', () => {
  it('marks it paid back with its day, method and reference, audited, posted Dr refunds payable Cr cash that day; the books and the statement agree', async () => {
    const { tenantId, subscription, invoices, holder, manager, latest, first } = await cancelledPolicy();
    expect([latest, first].map((refund) => [refund.invoiceId, refund.amountMinor, refund.status])).toEqual([
      [invoices[1].id, 1000, 'owed'],
      [invoices[0].id, 342, 'owed'],
    ]);
    const paidAt = new Date().toISOString();
    const body = { paidAt, method: 'bank_transfer', reference: 'SEPA RF18 0042' };

    const paid = await payBack(invoices[1].id, latest.id, manager, body).expect(200);
    expect(paid.body).toMatchObject({
      refund: {
        id: latest.id,
        status: 'succeeded',
        amount: '10.00',
        paidAt,
        paidMethod: 'bank_transfer',
        paidReference: 'SEPA RF18 0042',
        paidRecordedById: manager.id,
      },
      invoice: { id: invoices[1].id, status: 'refunded' },
    });
    expect(await PremiumRefund.findByPk(latest.id, { rejectOnEmpty: true })).toMatchObject({
      status: 'succeeded',
      paidAt: new Date(paidAt),
      paidMethod: 'bank_transfer',
      paidReference: 'SEPA RF18 0042',
    });
    const audits = await AuditEvent.findAll({ where: { action: 'invoice.refund_paid', entityId: invoices[1].id } });
    expect(audits.map((audit) => [audit.actorId, audit.entityType])).toEqual([[manager.id, 'invoice']]);
    expect(await paidEntryOf(tenantId, latest.id)).toEqual({
      postedOn: paidAt.slice(0, 10),
      lines: [
        ['cash', 0, 1000],
        ['refunds_payable', 1000, 0],
      ],
    });
    // The other refund is still owed: refunds payable holds it alone, and the daily reconciliation finds nothing.
    expect(await PremiumRefund.findByPk(first.id, { rejectOnEmpty: true })).toMatchObject({ status: 'owed' });
    expect((await compareBooks(stack.db.sequelize, tenantId)).differences).toEqual([]);

    expect(await statementFigures(stack, subscription.id)).toEqual([
      {
        currency: 'EUR',
        billed: '120.00',
        voided: '100.00',
        paid: '20.00',
        refunded: '10.00',
        owed: '0.00',
        credit: '0.00',
        refundPending: '3.42',
      },
    ]);
    const detail = await stack.api.get(`/api/v1/invoices/${invoices[1].id}`).set('Authorization', bearer(stack.config, holder)).expect(200);
    expect(detail.body.refunds).toEqual([expect.objectContaining({ id: latest.id, status: 'succeeded', paidReference: 'SEPA RF18 0042' })]);
  });

  it('records a pay-back once: repeated with its key, or again after its answer was lost, it answers the same; another pay-back is 409', async () => {
    const { tenantId, invoices, admin, latest } = await cancelledPolicy();
    // Paid now (no paidAt): the repeat's now is later, and it is still the same pay-back.
    const body = { method: 'cheque', reference: 'CHQ 001234' };
    const key = crypto.randomUUID();
    const first = await payBack(invoices[1].id, latest.id, admin, body, key).expect(200);
    const replayed = await payBack(invoices[1].id, latest.id, admin, body, key).expect(200);
    expect(replayed.body).toEqual(first.body);
    // What a process killed after the commit leaves: the key's attempt unanswered, long ago; the repeat runs again.
    await stack.db.sequelize.query(
      `UPDATE idempotency_records SET response_status = NULL, response_body = NULL,
              created_at = now() - interval '1 hour', updated_at = now() - interval '1 hour' WHERE key = :key`,
      { replacements: { key } },
    );
    const repeated = await payBack(invoices[1].id, latest.id, admin, body, key).expect(200);
    expect(repeated.body).toEqual(first.body);

    const other = await payBack(invoices[1].id, latest.id, admin, { ...body, reference: 'CHQ 009999' });
    expect(other.status).toBe(409);
    expect(other.body.error.details).toEqual([expect.objectContaining({ rule: 'refund_not_owed' })]);
    expect(await PremiumRefund.findByPk(latest.id, { rejectOnEmpty: true })).toMatchObject({ paidReference: 'CHQ 001234' });
    expect(await AuditEvent.count({ where: { action: 'invoice.refund_paid', tenantId } })).toBe(1);
    const [{ entries }] = await query<{ entries: number }>(
      `SELECT count(*)::int AS entries FROM journal_entries WHERE tenant_id = :tenantId AND source_key LIKE 'premium_refund:%:paid'`,
      { tenantId },
    );
    expect(entries).toBe(1);
  });

  it('refuses a refund pending at the provider (409), another tenant (404), a refund not on the invoice (404), a policyholder and other staff (403), recording nothing', async () => {
    const card = await cancelledPolicy({ card: true });
    expect([card.latest.status, card.first.status]).toEqual(['pending', 'owed']);
    const body = { method: 'bank_transfer', reference: 'SEPA 1' };
    const pending = await payBack(card.invoices[1].id, card.latest.id, card.admin, body);
    expect(pending.status).toBe(409);
    expect(await PremiumRefund.findByPk(card.latest.id, { rejectOnEmpty: true })).toMatchObject({ status: 'pending', paidAt: null });

    const { tenantId, invoices, holder, first } = await cancelledPolicy();
    await payBack(invoices[0].id, first.id, card.admin, body).expect(404);
    // A refund of another invoice of the same policy, or another tenant's refund, named under this invoice.
    await payBack(invoices[1].id, first.id, await buildUser({ tenantId, role: 'tenant_admin' }), body).expect(404);
    await payBack(invoices[0].id, card.first.id, await buildUser({ tenantId, role: 'tenant_admin' }), body).expect(404);
    await payBack(invoices[0].id, first.id, holder, body).expect(403);
    // Finance keeps the books (closes months, reconciles): it does not record the money it reconciles.
    for (const role of ['claims_agent', 'adjuster', 'senior_adjuster', 'compliance_officer', 'finance'] as const) {
      const refused = await payBack(invoices[0].id, first.id, await buildUser({ tenantId, role }), body);
      expect([role, refused.status]).toEqual([role, 403]);
    }
    await expectStillOwed(tenantId, first.id);
  });

  it('refuses a bad body with 400, a day before the refund was recorded with 422, and a day in a closed month with 409, recording nothing', async () => {
    const { tenantId, invoices, admin, first } = await cancelledPolicy();
    const send = (body: Record<string, unknown>) => payBack(invoices[0].id, first.id, admin, body);
    const valid = { method: 'bank_transfer', reference: 'SEPA 2' };
    for (const body of [
      { method: 'bank_transfer' },
      { reference: 'SEPA 2' },
      { ...valid, reference: '   ' },
      { ...valid, reference: 'x'.repeat(201) },
      { ...valid, reference: 'two\nlines' },
      { ...valid, reference: 'two\u2028lines' },
      { ...valid, reference: 'two\u2029paragraphs' },
      { ...valid, method: 'barter' },
      { ...valid, paidAt: 'yesterday' },
      { ...valid, paidAt: new Date(Date.now() + 3_600_000).toISOString() },
      { ...valid, amount: '3.42' },
    ]) {
      const refused = await send(body);
      expect([body, refused.status]).toEqual([body, 400]);
    }
    const early = await send({ ...valid, paidAt: '2026-01-20T10:00:00Z' });
    expect(early.status).toBe(422);
    expect(early.body.error.details).toEqual([expect.objectContaining({ field: 'paidAt' })]);

    // The month the API pays back in when no day is given: this one, still this one when it answers (not its last minute).
    const month = `${(await utcDayLasting()).slice(0, 7)}-01`;
    await stack.db.sequelize.query(
      `INSERT INTO ledger_periods (tenant_id, month, status, closed_at) VALUES (:tenantId, :month, 'closed', now())`,
      {
        replacements: { tenantId, month },
      },
    );
    const closed = await send(valid);
    expect(closed.status).toBe(409);
    expect(closed.body.error.details).toEqual([expect.objectContaining({ rule: 'ledger_period_closed' })]);
    await expectStillOwed(tenantId, first.id);
  });

  it('pays back over GraphQL by the same command and rules', async () => {
    const { tenantId, invoices, holder, manager, first } = await cancelledPolicy();
    const outsider = await buildUser({ role: 'tenant_admin' });
    const PAID = `mutation ($id: ID!, $refundId: ID!, $key: String) {
      recordRefundPaid(id: $id, refundId: $refundId, method: cheque, reference: "CHQ 77", idempotencyKey: $key) {
        status refunds { id status paidMethod paidReference } } }`;
    const variables = { id: invoices[0].id, refundId: first.id };
    expect((await graphql(PAID, variables, holder)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await graphql(PAID, variables, outsider)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    await expectStillOwed(tenantId, first.id);

    const key = crypto.randomUUID();
    const paid = await graphql(PAID, { ...variables, key }, manager);
    expect(paid.data).toEqual({
      recordRefundPaid: {
        status: 'partially_refunded',
        refunds: [{ id: first.id, status: 'succeeded', paidMethod: 'cheque', paidReference: 'CHQ 77' }],
      },
    });
    expect((await graphql(PAID, { ...variables, key }, manager)).data).toEqual(paid.data);
    expect(await AuditEvent.count({ where: { action: 'invoice.refund_paid', tenantId } })).toBe(1);
  });
});
