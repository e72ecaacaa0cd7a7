/**
 * Reconciliation of the books (docs/ledger.md, Reconciliation), on the real stack: PostgreSQL, the
 * Temporal dev server with a real worker, the SMTP sink. Money moves through the real paths (a
 * term billed, a payment applied, a reserve set by the claim's activity), which post their
 * entries; the books then reconcile clean. A reserve line changed by SQL, behind the books' back,
 * opens one incident, sets the alert's gauge and mails the tenant's finance user once, naming the
 * claim; another run opens nothing more; another tenant stays clean; a correcting entry resolves it.
 */
import crypto from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { QueryTypes } from 'sequelize';
import { createClaimReserveActivities, type RecordReserveChangesInput } from '../../src/activities/claim-reserves';
import {
  LEDGER_RECONCILIATION_WORKFLOW_TYPE,
  ledgerReconciliationScheduleId,
  type LedgerReconciliationWorkflow,
} from '../../src/contracts/ledger-reconciliation';
import { credit, debit, post } from '../../src/domain/ledger/post';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import { Invoice, Tenant, type Claim, type User } from '../../src/models';
import { ledgerDifferences } from '../../src/observability/business-metrics';
import { ensureLedgerReconciliationSchedule, LEDGER_RECONCILIATION_OFFSET_MS } from '../../src/services/ledger-reconciliation-schedule';
import { DAY_MS } from '../../src/shared/time';
import { bearer, buildClaim, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { testStackOfBlock } from '../support/stack';
import { waitUntil } from '../support/waiting';

const system = { actor: { type: 'system' as const, id: null } };

const stack = testStackOfBlock({ worker: true });

interface Books {
  tenant: Tenant;
  finance: User;
  admin: User;
  holder: User;
  claim: Claim;
}

/** A tenant whose money moved through the real paths: a monthly EUR term billed, its first instalment paid, a claim reserved at 1,500.00. */
async function booksOfATenant(): Promise<Books> {
  const tenant = await buildTenant();
  const finance = await buildUser({ tenantId: tenant.id, role: 'finance' });
  const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
  const plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR', premium: '1200.00', billingFrequency: 'monthly' });
  const subscription = await buildSubscription({ planId: plan.id, policyholderId: holder.id });
  await billCurrentTerm(stack.db.sequelize, subscription.id);
  const first = await Invoice.findOne({ where: { subscriptionId: subscription.id, sequence: 1 }, rejectOnEmpty: true });
  await applyPayment(
    stack.db.sequelize,
    { tenantId: tenant.id, invoiceId: first.id, amountMinor: first.amountMinor, method: 'bank_transfer', receivedAt: new Date() },
    system,
  );
  const claim = await buildClaim({ subscriptionId: subscription.id });
  const { recordReserveChanges } = createClaimReserveActivities({ sequelize: stack.db.sequelize });
  const reserved: RecordReserveChangesInput = {
    claimId: claim.id,
    tenantId: tenant.id,
    changes: [
      {
        id: crypto.randomUUID(),
        costType: 'indemnity',
        category: 'repair',
        amountBefore: 0,
        amount: 1500,
        reason: 'Kitchen floor',
        requestedById: admin.id,
        requestedAt: new Date().toISOString(),
        status: 'applied',
        decidedById: null,
      },
    ],
  };
  await new MockActivityEnvironment().run(recordReserveChanges, reserved);
  return { tenant, finance, admin, holder, claim };
}

/**
 * The second instalment of `books` made to owe `amountMinor` (a string: it may be past 2^53) by SQL, behind the books'
 * back, and the two differences a reconciliation then finds against the books' 1,100.00 receivable and 100.00
 * instalment: the receivable's and the invoice's, `expected`.
 */
async function secondInstalmentOwing(books: Books, amountMinor: string, expected: { receivable: string; invoice: string }) {
  await stack.db.sequelize.query('UPDATE invoices SET amount_minor = :amountMinor WHERE tenant_id = :tenantId AND sequence = 2', {
    replacements: { amountMinor, tenantId: books.tenant.id },
  });
  const invoice = await Invoice.findOne({ where: { tenantId: books.tenant.id, sequence: 2 }, rejectOnEmpty: true });
  const differences = [
    { check: 'premium_receivable', currency: 'EUR', row: null, books: '1100.00', expected: expected.receivable },
    {
      check: 'invoice_receivable',
      currency: 'EUR',
      row: { type: 'invoice', id: invoice.id, label: invoice.number },
      books: '100.00',
      expected: expected.invoice,
    },
  ];
  return { invoice, differences };
}

const reconcileNow = (user: User) =>
  stack.api
    .post('/api/v1/ledger/reconciliation')
    .set('Authorization', bearer(stack.config, user))
    .set('Idempotency-Key', crypto.randomUUID());
const latest = (user: User) => stack.api.get('/api/v1/ledger/reconciliation').set('Authorization', bearer(stack.config, user));

/** One daily run, as the schedule starts it. */
async function runDaily(label: string) {
  const handle = await stack.temporal.workflow.start<LedgerReconciliationWorkflow>(LEDGER_RECONCILIATION_WORKFLOW_TYPE, {
    taskQueue: stack.config.temporal.taskQueue,
    workflowId: `ledger-reconciliation-test-${label}-${crypto.randomUUID()}`,
  });
  return { handle, result: await handle.result() };
}

const openIncidents = (tenantId: string) =>
  stack.db.sequelize.query<{ id: string; fingerprint: string }>(
    'SELECT id, fingerprint FROM ledger_incidents WHERE tenant_id = :tenantId AND resolved_at IS NULL',
    { replacements: { tenantId }, type: QueryTypes.SELECT },
  );

const mailsTo = (user: User) => stack.smtp.messages.filter((mail) => mail.to.includes(user.email.toLowerCase()));

/** Every ledger mail the outbox holds has been sent (or found nobody): nothing is still on its way. */
const outboxMailsDone = async () => {
  const [{ pending }] = await stack.db.sequelize.query<{ pending: number }>(
    "SELECT count(*)::int AS pending FROM outbox_messages WHERE kind = 'mail' AND delivered_at IS NULL",
    { type: QueryTypes.SELECT },
  );
  return pending === 0;
};

describe('reconciliation of the books', () => {
  let a: Books;
  let b: Books;

  beforeAll(async () => {
    [a, b] = [await booksOfATenant(), await booksOfATenant()];
  });

  it('finds the books of a tenant whose money moved through the real paths equal to its rows, and keeps the result', async () => {
    const answer = await reconcileNow(a.finance).expect(200);
    expect(answer.body).toMatchObject({ clean: true, incidentId: null, differences: [], unnamed: 0 });
    const figure = (account: string) => answer.body.figures.find((f: { account: string }) => f.account === account);
    // Eleven instalments of 100.00 still owed, the reserve line's 1,500.00, nothing payable.
    expect(figure('premium_receivable')).toEqual({ currency: 'EUR', account: 'premium_receivable', books: '1100.00', rows: '1100.00' });
    expect(figure('loss_reserves')).toEqual({ currency: 'EUR', account: 'loss_reserves', books: '1500.00', rows: '1500.00' });
    expect(figure('claim_payments_payable')).toMatchObject({ books: '0.00', rows: '0.00' });

    const read = await latest(a.admin).expect(200);
    expect(read.body).toEqual(answer.body);
    // A policyholder may neither run it nor read it; another tenant's finance user reads their own tenant's, none yet.
    await reconcileNow(a.holder).expect(403);
    await latest(a.holder).expect(403);
    await latest(b.finance).expect(404);
  });

  it('opens one incident, sets the alert and mails the finance user once for a reserve line changed behind the books, other tenants clean', async () => {
    await stack.db.sequelize.query("UPDATE claim_reserve_lines SET amount = 1750.00 WHERE claim_id = :claimId AND category = 'repair'", {
      replacements: { claimId: a.claim.id },
    });

    const first = await runDaily('first');
    expect(first.result).toEqual({ reconciled: await Tenant.count(), differing: 1 });
    await recordHistory(first.handle, LEDGER_RECONCILIATION_WORKFLOW_TYPE);
    const [incident, ...more] = await openIncidents(a.tenant.id);
    expect(more).toEqual([]);
    expect(await openIncidents(b.tenant.id)).toEqual([]);
    expect((await ledgerDifferences.get()).values[0].value).toBe(1);

    const mail = await stack.smtp.waitFor((m) => m.to.includes(a.finance.email.toLowerCase()));
    expect(mail.subject).toBe('Insurflow: the books differ from the records (2 differences)');
    expect(mail.text).toContain('loss_reserves EUR: 1500.00 ≠ 1750.00');
    expect(mail.text).toContain(`claim_reserve ${a.claim.claimNumber} EUR: 1500.00 ≠ 1750.00`);
    expect(mail.text).toContain('No other row differs.');
    // Finance is told; the admins only when the tenant has no finance user.
    expect(mailsTo(a.admin)).toEqual([]);

    const read = await latest(a.finance).expect(200);
    expect(read.body).toMatchObject({ clean: false, incidentId: incident.id });
    expect(read.body.differences).toEqual([
      { check: 'loss_reserves', currency: 'EUR', row: null, books: '1500.00', expected: '1750.00' },
      {
        check: 'claim_reserve',
        currency: 'EUR',
        row: { type: 'claim', id: a.claim.id, label: a.claim.claimNumber },
        books: '1500.00',
        expected: '1750.00',
      },
    ]);
    expect((await latest(b.finance).expect(200)).body).toMatchObject({ clean: true });

    // The next day's run, and a person's, find the same set: the same incident, no second mail.
    expect((await runDaily('second')).result).toMatchObject({ differing: 1 });
    expect((await reconcileNow(a.finance).expect(200)).body).toMatchObject({ clean: false, incidentId: incident.id });
    expect(await openIncidents(a.tenant.id)).toEqual([incident]);
    await waitUntil(outboxMailsDone, 'the outbox mails sent');
    expect(mailsTo(a.finance)).toHaveLength(1);
    expect(mailsTo(b.finance)).toEqual([]);

    // Finance posts the correction the reserve line missed: the books are clean, the incident resolved, the alert quiet.
    await stack.db.sequelize.transaction((transaction) =>
      post(
        stack.db.sequelize,
        {
          tenantId: a.tenant.id,
          sourceType: 'reserve_change',
          sourceId: a.claim.id,
          sourceKey: `reserve_change:${a.claim.id}:corrected`,
          description: 'Reserve line corrected by hand',
          postedOn: new Date(),
          currency: 'EUR',
          claimId: a.claim.id,
          lines: [debit('reserve_movement', 25_000), credit('loss_reserves', 25_000)],
        },
        transaction,
      ),
    );
    expect((await reconcileNow(a.finance).expect(200)).body).toMatchObject({ clean: true, incidentId: null });
    expect(await openIncidents(a.tenant.id)).toEqual([]);
    expect((await runDaily('third')).result).toMatchObject({ differing: 0 });
    expect((await ledgerDifferences.get()).values[0].value).toBe(0);
  });

  it('mails the tenant admins when the tenant has no finance user', async () => {
    const c = await booksOfATenant();
    await c.finance.update({ isActive: false });
    const { invoice, differences } = await secondInstalmentOwing(c, '10001', { receivable: '1100.01', invoice: '100.01' });
    const answer = await reconcileNow(c.admin).expect(200);
    expect(answer.body.differences).toEqual(differences);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(c.admin.email.toLowerCase()));
    expect(mail.text).toContain(`invoice_receivable ${invoice.number} EUR: 100.00 ≠ 100.01`);
    expect(mailsTo(c.finance)).toEqual([]);
  });

  it('answers and mails amounts past 2^53 minor units exactly, and reads a reconciliation kept with numbers before', async () => {
    const d = await booksOfATenant();
    // 99,999,999,999,999.99 EUR owed on one instalment, behind the books' back: 9999999999999999 minor units, past 2^53.
    const { invoice, differences } = await secondInstalmentOwing(d, '9999999999999999', {
      receivable: '100000000000999.99',
      invoice: '99999999999999.99',
    });
    const answer = await reconcileNow(d.finance).expect(200);
    expect(answer.body.differences).toEqual(differences);
    expect(answer.body.figures).toContainEqual({
      currency: 'EUR',
      account: 'premium_receivable',
      books: '1100.00',
      rows: '100000000000999.99',
    });
    expect((await latest(d.finance).expect(200)).body.differences).toEqual(differences);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(d.finance.email.toLowerCase()));
    expect(mail.text).toContain('premium_receivable EUR: 1100.00 ≠ 100000000000999.99');
    expect(mail.text).toContain(`invoice_receivable ${invoice.number} EUR: 100.00 ≠ 99999999999999.99`);

    // A reconciliation kept before its minor units were strings held JSON numbers: it is answered as before.
    await stack.db.sequelize.query(
      `UPDATE ledger_reconciliations SET incident_id = NULL, figures = :figures, differences = :differences WHERE tenant_id = :tenantId`,
      {
        replacements: {
          tenantId: d.tenant.id,
          figures: JSON.stringify([{ currency: 'JPY', account: 'loss_reserves', books: 1500, rows: 1750 }]),
          differences: JSON.stringify({
            named: [
              { check: 'loss_reserves', currency: 'JPY', books: 1500, expected: 1750 },
              { check: 'source_key', currency: null, books: 2, expected: 1 },
            ],
            unnamed: 0,
          }),
        },
      },
    );
    const kept = await latest(d.finance).expect(200);
    expect(kept.body.figures).toEqual([{ currency: 'JPY', account: 'loss_reserves', books: '1500', rows: '1750' }]);
    expect(kept.body.differences).toEqual([
      { check: 'loss_reserves', currency: 'JPY', row: null, books: '1500', expected: '1750' },
      { check: 'source_key', currency: null, row: null, books: '2', expected: '1' },
    ]);
  });

  it('is scheduled every day at 03:30 UTC, made at start-up like the reconciler', async () => {
    const taskQueue = `schedule-${crypto.randomUUID()}`;
    expect(await ensureLedgerReconciliationSchedule(stack.temporal, taskQueue)).toBe('created');
    const handle = stack.temporal.schedule.getHandle(ledgerReconciliationScheduleId(taskQueue));
    try {
      expect(await ensureLedgerReconciliationSchedule(stack.temporal, taskQueue)).toBe('updated');
      const { spec, info } = await handle.describe();
      expect(spec.intervals).toEqual([{ every: DAY_MS, offset: LEDGER_RECONCILIATION_OFFSET_MS }]);
      expect(info.nextActionTimes[0].toISOString()).toMatch(/T03:30:00\.000Z$/);
    } finally {
      await handle.delete();
    }
  });
});
