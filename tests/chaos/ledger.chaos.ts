/**
 * The books under faults (#78, docs/ledger.md): on the chaos suite's real processes, premium
 * payments recorded by hand (some repeated with their Idempotency-Key, some two at once on one
 * invoice), cancellations that refund, claim reserves changed and claim payments asked for and
 * approved (by a second person where authority requires), all at once, while the worker is
 * SIGKILLed twice and the API once, each restarted. Once every run has done what was asked, in
 * PostgreSQL: every entry balances in its currency, every movement row has exactly the entries
 * the posting table names (none missing, none twice, none extra), the trial balance is zero per
 * currency, the reconciliation (src/domain/ledger/reconciliation.ts) finds no difference, and cash
 * and paid losses, which it does not compare, agree with the rows too. Prints one line of figures.
 */
import crypto from 'node:crypto';
import { QueryTypes, Transaction } from 'sequelize';
import { type ApiProcess, startApiProcess, startWorkerProcess, type WorkerProcess } from '../../bench/processes';
import { freePort } from '../../scripts/local/ports';
import { compareBooks } from '../../src/domain/ledger/reconciliation';
import {
  ClaimPayment,
  ClaimReserveChange,
  Invoice,
  Notification,
  PremiumRefund,
  Subscription,
  type Tenant,
  type User,
} from '../../src/models';
import { idFromRequest } from '../../src/shared/deterministic-id';
import { minorUnitDigits } from '../../src/shared/money';
import type { Role } from '../../src/shared/roles';
import { buildPlan, buildSubscription, buildTenant, buildUsers } from '../support/factories';
import { eventually, waitUntil } from '../support/waiting';
import { type ChaosInfra, closeInfra, connectInfra, DEADLINES, tokenOf } from './infra';
import { type Answer, type Intent, isOutage, retryUntilDone, send } from './load';
import { killProcess } from './process-control';

const TASK_QUEUE = 'chaos-ledger';
const POLICIES = Number(process.env.CHAOS_LEDGER_POLICIES ?? 12);
const CLAIMS = Number(process.env.CHAOS_LEDGER_CLAIMS ?? 8);
/** Stories worked on at once: enough that each fault meets requests in flight of every kind. */
const LANES = 6;
/** A monthly plan of 300.00: twelve invoices of 25.00 a policy. */
const PREMIUM = { premium: '300.00', instalment: '25.00', currency: 'EUR', instalments: 12 };
const CLAIMS_CURRENCY = 'USD';
/**
 * How long one request may take to be done: a worker killed with an activity in flight leaves it
 * to its start-to-close timeout (30 s) before another worker retries it, and the Update waiting on
 * it answers 504 meanwhile.
 */
const DONE_WITHIN_MS = 120_000;
const REPAIRER = { kind: 'third_party', name: 'Chaos Roofing Ltd', iban: 'DE89 3704 0044 0532 0130 00' };
const CLAIMANT_ACCOUNT = { kind: 'claimant', name: 'Chaos Claimant', iban: 'NL91ABNA0417164300' };

/** Where an account's balance differs from what the rows say it should hold. */
interface Reconciled {
  account: string;
  /** The subscription or claim the balance is of, or the tenant for its whole account. */
  key: string;
  currency: string;
  booked: string;
  expected: string;
}

describe('chaos: the books under faults', () => {
  let infra: ChaosInfra;
  let env: Record<string, string> & { TEMPORAL_TASK_QUEUE: string; API_PORT: string };
  let worker: WorkerProcess;
  let api: ApiProcess;
  let tenant: Tenant;
  let premiumPlanId: string;
  const people = {} as Record<'holder' | 'admin' | 'manager' | 'adjuster' | 'senior', User>;
  const claimIds: string[] = [];
  const subscribeKey = (i: number) => `ledger-subscribe-${i}`;
  const subscriptionOf = (i: number) => idFromRequest('subscription', people.holder.id, subscribeKey(i), premiumPlanId);
  /** Every other policy is cancelled in the load: those are subscribed before it (see beforeAll). */
  const cancelledInLoad = (i: number) => i % 2 === 0;
  const token = (user: User) => tokenOf(infra, user);

  /** Addresses of their own: the suite's files share one database, and the factories number users per file. */
  const createUser = async (role: Role) =>
    (await buildUsers(1, tenant.id, () => ({ role, email: `ledger-${role}-${crypto.randomUUID()}@example.test` })))[0];
  /** A request made until it succeeds, repeated with its key while the stack answers 503/504, 409 or nothing. */
  const figures = { requests: 0, firstAnswersFailed: 0, outages: 0, kills: 0, restarts: 0, steps: 0 };
  const done = async (intent: Intent): Promise<Answer> => {
    const first = await send(api.url, intent);
    figures.requests += 1;
    if (isOutage(first)) figures.outages += 1;
    const answer = first.status >= 200 && first.status < 300 ? first : await retryUntilDone(api.url, intent, DONE_WITHIN_MS);
    if (answer !== first) figures.firstAnswersFailed += 1;
    figures.steps += 1;
    return answer;
  };
  const intent = (kind: string, user: User, method: Intent['method'], path: string, key: string, body?: object): Intent => ({
    kind,
    method,
    path,
    token: token(user),
    key,
    body,
  });

  beforeAll(async () => {
    infra = await connectInfra();
    env = { ...infra.env, TEMPORAL_TASK_QUEUE: TASK_QUEUE, API_PORT: String(await freePort()), ...DEADLINES };
    [worker, api] = await Promise.all([startWorkerProcess(infra.temporal, env), startApiProcess(env)]);

    // Premiums collected outside Insurflow's timeline (factories' default): policies cover at once, and are billed.
    tenant = await buildTenant({ name: 'Ledger Mutual' });
    premiumPlanId = (
      await buildPlan({
        tenantId: tenant.id,
        name: 'Home monthly',
        premium: PREMIUM.premium,
        billingFrequency: 'monthly',
        currency: PREMIUM.currency,
      })
    ).id;
    const claimsPlan = await buildPlan({ tenantId: tenant.id, name: 'Home', currency: CLAIMS_CURRENCY });
    people.holder = await createUser('policyholder');
    people.admin = await createUser('tenant_admin');
    people.manager = await createUser('claims_manager');
    people.adjuster = await createUser('adjuster');
    people.senior = await createUser('senior_adjuster');

    // The policies the load cancels, subscribed and activated before it: a run carries out a
    // cancellation after its activation e-mail, and an e-mail the killed worker had claimed waits
    // for its lease (NOTIFICATION_LEASE_MS, two minutes) before it is sent, which would hold the
    // cancellation as long. The other policies are subscribed in the load (their billing under fault).
    const cancellable = Array.from({ length: POLICIES }, (_, i) => i).filter(cancelledInLoad);
    await Promise.all(
      cancellable.map((i) =>
        done(intent('subscribe', people.holder, 'POST', '/subscriptions', subscribeKey(i), { planId: premiumPlanId })),
      ),
    );
    // Claims of 6,000 on policies written directly (their runs are not under test), assigned to the
    // adjuster: each run then reserves the amount claimed (indemnity, other).
    const today = new Date().toISOString().slice(0, 10);
    const fileAssigned = async (i: number) => {
      const covering = await buildSubscription({ planId: claimsPlan.id, policyholderId: people.holder.id, startDate: today });
      const filed = await done(
        intent('file', people.holder, 'POST', '/claims', `ledger-claim-${i}`, {
          subscriptionId: covering.id,
          incidentDate: today,
          amountClaimed: '6000.00',
          description: `Ledger chaos claim ${i}`,
        }),
      );
      const claimId = (filed.body as { id: string }).id;
      await done(
        intent('assign', people.manager, 'POST', `/claims/${claimId}/assign`, `ledger-assign-${i}`, { assigneeId: people.adjuster.id }),
      );
      return claimId;
    };
    claimIds.push(...(await Promise.all(Array.from({ length: CLAIMS }, (_, i) => fileAssigned(i)))));
    await waitUntil(
      async () => (await ClaimReserveChange.count({ where: { claimId: claimIds, status: 'applied' } })) === CLAIMS,
      'the first reserve of every claim applied by its run',
      60_000,
    );
    await waitUntil(
      async () =>
        (await Notification.count({
          where: { idempotencyKey: cancellable.map((i) => `subscription-${subscriptionOf(i)}:activated`), status: 'sent' },
        })) === cancellable.length,
      'the policies to cancel active and told so',
      60_000,
    );
    // The figures are the load's.
    Object.assign(figures, { requests: 0, firstAnswersFailed: 0, outages: 0, steps: 0 });
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await closeInfra(infra);
  }, 120_000);

  /** What went other than asked during the load (a repeat answered with another payment…), reported at the end. */
  const surprises: string[] = [];
  const cancelled: string[] = [];
  /** Invoices paid twice at once with two keys: one payment applies, the other is all credit. */
  const paidTwiceAtOnce: string[] = [];

  /**
   * A policy: subscribed unless it was before the load (its run bills twelve invoices), its first
   * invoice paid exactly (every third repeated with the same key), its second with 5.00 too much (a
   * credit), every fourth's third invoice paid twice at once with two keys, and every other one
   * cancelled (refunds owed).
   */
  async function policyStory(i: number): Promise<void> {
    if (!cancelledInLoad(i))
      await done(intent('subscribe', people.holder, 'POST', '/subscriptions', subscribeKey(i), { planId: premiumPlanId }));
    const subscriptionId = subscriptionOf(i);
    const invoices = await eventually(
      () => Invoice.findAll({ where: { subscriptionId }, order: [['sequence', 'ASC']] }),
      (list) => list.length === PREMIUM.instalments,
      `the twelve invoices of policy ${i}`,
      DONE_WITHIN_MS,
    );
    const pay = (invoice: Invoice, amount: string, payKey: string) =>
      intent('pay', people.admin, 'POST', `/invoices/${invoice.id}/payments`, payKey, {
        amount,
        method: 'bank_transfer',
        // The key, so that the rows each intent recorded can be counted.
        reference: payKey,
        // The money of a payment twice at once, or too large, was received: kept as credit.
        excessAsCredit: true,
      });
    const paymentIdOf = (answer: Answer) => (answer.body as unknown as { payment: { id: string } }).payment.id;

    const first = pay(invoices[0], PREMIUM.instalment, `ledger-pay-${i}-1`);
    const recorded = paymentIdOf(await done(first));
    if (i % 3 === 0) {
      const repeated = paymentIdOf(await done(first));
      if (repeated !== recorded) surprises.push(`policy ${i}: a repeat of its first payment recorded ${repeated} beside ${recorded}`);
    }
    await done(pay(invoices[1], '30.00', `ledger-pay-${i}-2`));
    if (i % 4 === 1) {
      paidTwiceAtOnce.push(invoices[2].id);
      await Promise.all([
        done(pay(invoices[2], PREMIUM.instalment, `ledger-pay-${i}-3a`)),
        done(pay(invoices[2], PREMIUM.instalment, `ledger-pay-${i}-3b`)),
      ]);
    }
    if (cancelledInLoad(i)) {
      await done(intent('cancel', people.holder, 'PATCH', `/subscriptions/${subscriptionId}/cancel`, `ledger-cancel-${i}`));
      cancelled.push(subscriptionId);
    }
  }

  /**
   * A claim: a repair line of 800 (within the adjuster's authority), a legal line of 12,000 (above
   * it: the senior adjuster approves), 500 paid to the repairer alone, 2,000 to the claimant's
   * account (a new payee above the threshold: the senior adjuster approves), and the line the
   * first reserve set lowered to 3,000 (a release).
   */
  async function claimStory(j: number): Promise<void> {
    const claimId = claimIds[j];
    const { adjuster, senior } = people;
    const reserve = (key: string, body: object) => done(intent('reserve', adjuster, 'POST', `/claims/${claimId}/reserves`, key, body));
    await reserve(`ledger-reserve-${j}-repair`, { costType: 'indemnity', category: 'repair', amount: '800.00', reason: 'Repair estimate' });
    const legal = await reserve(`ledger-reserve-${j}-legal`, {
      costType: 'expense',
      category: 'legal',
      amount: '12000.00',
      reason: 'Counsel retained',
    });
    const changeId = (legal.body as unknown as { change: { id: string } }).change.id;
    await done(
      intent('approve reserve', senior, 'POST', `/claims/${claimId}/reserves/changes/${changeId}/approve`, `ledger-approve-${changeId}`),
    );
    const payment = (key: string, body: object) =>
      done(intent('claim payment', adjuster, 'POST', `/claims/${claimId}/payments`, key, body));
    await payment(`ledger-claim-pay-${j}-repair`, { costType: 'indemnity', category: 'repair', amount: '500.00', payee: REPAIRER });
    const held = await payment(`ledger-claim-pay-${j}-claimant`, {
      costType: 'indemnity',
      category: 'other',
      amount: '2000.00',
      payee: CLAIMANT_ACCOUNT,
    });
    const paymentId = (held.body as unknown as { payment: { id: string } }).payment.id;
    await done(
      intent('approve payment', senior, 'POST', `/claims/${claimId}/payments/${paymentId}/approve`, `ledger-approve-${paymentId}`),
    );
    await reserve(`ledger-reserve-${j}-release`, { costType: 'indemnity', category: 'other', amount: '3000.00', reason: 'Lower estimate' });
  }

  /** The requests the stories make, for the faults to land at fractions of the load. */
  const plannedSteps = () =>
    // A policy: subscribed or cancelled, and its two payments; a repeat, two at once. A claim: seven.
    Array.from({ length: POLICIES }, (_, i) => 3 + (i % 3 === 0 ? 1 : 0) + (i % 4 === 1 ? 2 : 0)).reduce((a, b) => a + b, 0) + 7 * CLAIMS;

  /** The worker SIGKILLed at 15 % and 65 % of the load, the API at 40 %, each started again at once. */
  async function faults(total: number): Promise<void> {
    const at = (share: number) => waitUntil(() => figures.steps >= total * share, `${share * 100} % of the load done`, DONE_WITHIN_MS);
    const killWorker = async () => {
      await killProcess(worker.child);
      figures.kills += 1;
      worker = await startWorkerProcess(infra.temporal, env);
    };
    await at(0.15);
    await killWorker();
    await at(0.4);
    await killProcess(api.child);
    api = await startApiProcess(env);
    figures.restarts += 1;
    await at(0.65);
    await killWorker();
  }

  /** Stories taken in turn by LANES lanes, policies and claims interleaved. */
  async function load(): Promise<void> {
    const stories = Array.from({ length: Math.max(POLICIES, CLAIMS) }, (_, n) => [
      ...(n < POLICIES ? [() => policyStory(n)] : []),
      ...(n < CLAIMS ? [() => claimStory(n)] : []),
    ]).flat();
    let next = 0;
    const lane = async () => {
      while (next < stories.length) await stories[next++]();
    };
    await Promise.all(Array.from({ length: LANES }, lane));
  }

  /** Rows of `sql`, all read in `transaction` (one snapshot). */
  const rowsOf = <T extends object>(sql: string, transaction: Transaction, replacements: object = {}) =>
    infra.sequelize.query<T>(sql, { type: QueryTypes.SELECT, transaction, replacements: { tenantId: tenant.id, ...replacements } });

  /**
   * The entries the posting table (docs/ledger.md, What posts) names for the tenant's rows, as
   * (source type, source id, what happened), beside those posted and how often each was.
   */
  const EXPECTED_ENTRIES = `
    WITH applied AS (
      SELECT invoice_id, sum(amount_minor - credit_minor) AS minor FROM premium_payments WHERE tenant_id = :tenantId GROUP BY invoice_id
    ), expected AS (
      SELECT 'invoice' AS source_type, id AS source_id, 'issued' AS happened FROM invoices WHERE tenant_id = :tenantId
      UNION ALL
      -- What a cancellation's closed invoice still owed (a void one, or one part paid and refunded).
      SELECT 'invoice', i.id, 'voided' FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id LEFT JOIN applied a ON a.invoice_id = i.id
       WHERE i.tenant_id = :tenantId AND s.status = 'cancelled' AND i.status NOT IN ('open', 'overdue', 'paid')
         AND i.amount_minor > coalesce(a.minor, 0)
      UNION ALL
      SELECT 'premium_payment', id, 'received' FROM premium_payments WHERE tenant_id = :tenantId
      UNION ALL
      SELECT 'premium_refund', id, 'owed' FROM premium_refunds WHERE tenant_id = :tenantId
      UNION ALL
      SELECT 'premium_refund', id, 'paid' FROM premium_refunds WHERE tenant_id = :tenantId AND status = 'succeeded'
      UNION ALL
      -- Every change that moved its line: set, approved, released, taken by a payment or given back.
      SELECT 'reserve_change', id, 'applied' FROM claim_reserve_changes
       WHERE tenant_id = :tenantId AND status NOT IN ('pending', 'rejected') AND amount <> amount_before
      UNION ALL
      SELECT 'claim_payment', id, 'held' FROM payments WHERE tenant_id = :tenantId AND kind = 'partial'
      UNION ALL
      SELECT 'claim_payment', id, 'voided' FROM payments WHERE tenant_id = :tenantId AND status = 'voided'
      UNION ALL
      SELECT 'claim_payment', id, 'issued' FROM payments WHERE tenant_id = :tenantId AND kind = 'partial' AND issued_at IS NOT NULL
      UNION ALL
      SELECT 'claim_payment', id, 'cleared' FROM payments WHERE tenant_id = :tenantId AND kind = 'partial' AND status = 'cleared'
      UNION ALL
      SELECT 'claim_payment', id, 'failed' FROM payments WHERE tenant_id = :tenantId AND status = 'failed'
      UNION ALL
      SELECT 'claim_payment', id, 'settled' FROM payments WHERE tenant_id = :tenantId AND kind = 'settlement'
    ), posted AS (
      SELECT source_type, source_id, split_part(source_key, ':', 3) AS happened, count(*)::int AS times,
             bool_and(source_key = source_type || ':' || source_id || ':' || split_part(source_key, ':', 3)) AS well_named
        FROM journal_entries WHERE tenant_id = :tenantId GROUP BY 1, 2, 3
    )
    SELECT source_type AS "sourceType", source_id AS "sourceId", happened, coalesce(p.times, 0) AS times,
           e.source_id IS NOT NULL AS expected, coalesce(p.well_named, true) AS "wellNamed"
      FROM expected e FULL JOIN posted p USING (source_type, source_id, happened)
     WHERE e.source_id IS NULL OR p.times IS DISTINCT FROM 1 OR NOT p.well_named
     ORDER BY 1, 2, 3`;

  /** An account's balance (on its normal side) per subscription, claim or tenant, against what the rows say it holds. */
  const reconcile = (account: string, sign: 1 | -1, by: 'subscription_id' | 'claim_id' | null, expected: string) => `
    WITH booked AS (
      SELECT ${by ? `e.${by}` : 'l.tenant_id'} AS key, l.currency, sum(${sign} * (l.debit_minor - l.credit_minor))::bigint AS minor
        FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
       WHERE l.tenant_id = :tenantId AND l.account_code = '${account}' GROUP BY 1, 2
    ), expected AS (${expected})
    SELECT '${account}' AS account, key, currency, coalesce(b.minor, 0)::text AS booked, coalesce(x.minor, 0)::text AS expected
      FROM booked b FULL JOIN expected x USING (key, currency)
     WHERE coalesce(b.minor, 0) <> coalesce(x.minor, 0)`;
  /** The claims' amounts (decimal columns in their plan's currency) in minor units. */
  const claimMinor = (column: string) => `round(${column} * ${10 ** minorUnitDigits(CLAIMS_CURRENCY)})::bigint`;
  const claimCurrency = `(SELECT s.currency FROM claims c JOIN subscriptions s ON s.id = c.subscription_id WHERE c.id = claim_id)`;
  /** The accounts the reconciliation does not compare: cash and paid losses. */
  const RECONCILIATIONS = [
    // Money received less money paid out (no refund was paid, no claim payment cleared here: they count if they were).
    reconcile(
      'cash',
      1,
      null,
      `SELECT CAST(:tenantId AS uuid) AS key, currency, sum(minor)::bigint AS minor FROM (
         SELECT currency, amount_minor AS minor FROM premium_payments WHERE tenant_id = :tenantId
         UNION ALL SELECT currency, -amount_minor FROM premium_refunds WHERE tenant_id = :tenantId AND status = 'succeeded'
         UNION ALL SELECT ${claimCurrency}, -${claimMinor('amount')} FROM payments
                    WHERE tenant_id = :tenantId AND (status = 'cleared' OR kind = 'settlement')) m GROUP BY 2`,
    ),
    // Claim payments from their request on, less those voided or failed.
    reconcile(
      'paid_losses',
      1,
      'claim_id',
      `SELECT claim_id AS key, ${claimCurrency} AS currency, sum(${claimMinor('amount')})::bigint AS minor FROM payments
        WHERE tenant_id = :tenantId AND status NOT IN ('voided', 'failed') GROUP BY 1, 2`,
    ),
  ];

  it(`${POLICIES} policies paid and cancelled and ${CLAIMS} claims reserved and paid while the worker is SIGKILLed twice and the API once: every movement posted once, every entry balanced, the books agree with the rows`, async () => {
    const started = Date.now();
    const total = plannedSteps();
    await Promise.all([load(), faults(total)]);
    const loaded = Date.now();
    expect(surprises).toEqual([]);

    // Every run has done what was asked: each cancellation refunded, each payment approved, no reserve change waiting.
    await waitUntil(
      async () =>
        (await Subscription.count({ where: { id: cancelled, status: 'cancelled' } })) === cancelled.length &&
        (await PremiumRefund.count({ where: { subscriptionId: cancelled }, distinct: true, col: 'subscriptionId' })) === cancelled.length,
      'every cancelled policy cancelled and refunded',
      DONE_WITHIN_MS,
    );
    await waitUntil(
      async () =>
        (await ClaimPayment.count({ where: { claimId: claimIds, status: 'approved' } })) === 2 * CLAIMS &&
        (await ClaimReserveChange.count({ where: { claimId: claimIds, status: 'pending' } })) === 0,
      'every claim payment approved and no reserve change waiting',
      DONE_WITHIN_MS,
    );

    const settled = Date.now();

    // One snapshot for every check: a run still retrying commits all of its movement and entries, or none.
    const checked = await infra.sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ }, async (t) => ({
      unbalanced: await rowsOf<{ sourceKey: string; currency: string; debit: string; credit: string }>(
        `SELECT e.source_key AS "sourceKey", l.currency, sum(l.debit_minor)::text AS debit, sum(l.credit_minor)::text AS credit
             FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
            WHERE e.tenant_id = :tenantId GROUP BY e.id, e.source_key, l.currency
           HAVING sum(l.debit_minor) <> sum(l.credit_minor) OR bool_or(l.currency <> e.currency)`,
        t,
      ),
      entriesOffTable: await rowsOf<{ sourceType: string; sourceId: string; happened: string; times: number; expected: boolean }>(
        EXPECTED_ENTRIES,
        t,
      ),
      trialBalance: await rowsOf<{ currency: string; debit: string; credit: string }>(
        `SELECT currency, sum(debit_minor)::text AS debit, sum(credit_minor)::text AS credit
             FROM journal_lines WHERE tenant_id = :tenantId GROUP BY currency ORDER BY currency`,
        t,
      ),
      differences: (await Promise.all(RECONCILIATIONS.map((sql) => rowsOf<Reconciled>(sql, t)))).flat(),
      // Each intent recorded its movement once: a payment row per key (its reference), two payments per claim.
      paymentsPerKey: await rowsOf<{ reference: string; rows: number }>(
        `SELECT reference, count(*)::int AS rows FROM premium_payments WHERE tenant_id = :tenantId GROUP BY reference HAVING count(*) <> 1`,
        t,
      ),
      twiceAtOnce: await rowsOf<{ invoiceId: string; applied: string; credit: string }>(
        `SELECT invoice_id AS "invoiceId", sum(amount_minor - credit_minor)::text AS applied, sum(credit_minor)::text AS credit
             FROM premium_payments WHERE invoice_id IN (:invoices) GROUP BY invoice_id ORDER BY invoice_id`,
        t,
        { invoices: paidTwiceAtOnce },
      ),
      counts: (
        await rowsOf<Record<string, number>>(
          `SELECT (SELECT count(*) FROM invoices WHERE tenant_id = :tenantId)::int AS invoices,
                    (SELECT count(*) FROM premium_payments WHERE tenant_id = :tenantId)::int AS payments,
                    (SELECT count(*) FROM premium_refunds WHERE tenant_id = :tenantId)::int AS refunds,
                    (SELECT count(*) FROM claim_reserve_changes WHERE tenant_id = :tenantId AND status NOT IN ('pending', 'rejected'))::int AS "reserveChanges",
                    (SELECT count(*) FROM payments WHERE tenant_id = :tenantId)::int AS "claimPayments",
                    (SELECT count(*) FROM journal_entries WHERE tenant_id = :tenantId)::int AS entries,
                    (SELECT count(*) FROM journal_lines WHERE tenant_id = :tenantId)::int AS lines`,
          t,
        )
      )[0],
    }));
    const reconciliation = await compareBooks(infra.sequelize, tenant.id);
    const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(0);
    const { counts } = checked;
    process.stderr.write(
      `\n[chaos ledger] ${counts.invoices} invoices, ${counts.payments} premium payments, ${counts.refunds} refunds, ` +
        `${counts.reserveChanges} reserve changes, ${counts.claimPayments} claim payments; worker SIGKILLed ${figures.kills}×, ` +
        `API restarted ${figures.restarts}×; ${figures.requests} requests (${figures.firstAnswersFailed} repeated with their key, ` +
        `${figures.outages} first answered 503/504); ${counts.entries} entries, ${counts.lines} lines; ` +
        `${seconds(started, Date.now())} s (load ${seconds(started, loaded)} s, settling ${seconds(loaded, settled)} s)\n`,
    );

    expect(figures.kills).toBe(2);
    expect(figures.restarts).toBe(1);
    expect(checked.paymentsPerKey).toEqual([]);
    expect(checked.twiceAtOnce.map((row) => [row.applied, row.credit])).toEqual(paidTwiceAtOnce.map(() => ['2500', '2500']));
    expect(counts.claimPayments).toBe(2 * CLAIMS);
    // Per claim: the first reserve, the repair line, the legal line approved, two payments, the release.
    expect(counts.reserveChanges).toBe(6 * CLAIMS);
    expect(checked.unbalanced).toEqual([]);
    expect(checked.entriesOffTable).toEqual([]);
    expect(checked.trialBalance.filter((row) => row.debit !== row.credit)).toEqual([]);
    expect(checked.trialBalance.map((row) => row.currency)).toEqual([CLAIMS_CURRENCY, PREMIUM.currency].sort());
    expect(checked.differences).toEqual([]);
    expect([reconciliation.differences, reconciliation.unnamed]).toEqual([[], 0]);
  }, 240_000);
});
