/**
 * Premium billing (docs/premiums.md): an invoice per instalment of a subscription's term, the
 * payments received against it and the refunds owed on it. Amounts are integer minor units of
 * the row's currency (bigint columns, read back as JS numbers: a premium column holds at most
 * 10^12 minor units, well within the safe integers).
 */
import { DataTypes, Op, QueryTypes, Sequelize, Transaction, type WhereOptions } from 'sequelize';
import { modelOf, required, optional, tenantRowColumns, bigintAsNumber } from './columns';
import { addMonths, instalmentsOf, type BillingFrequency, type Instalment } from '../shared/instalments';
import { toMinorUnits } from '../shared/money';
import { utcDay } from '../shared/time';

export const INVOICE_STATUSES = ['open', 'paid', 'overdue', 'void', 'refunded', 'partially_refunded'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
/** Invoices that still wait for money. */
export const UNPAID_INVOICE_STATUSES: readonly InvoiceStatus[] = ['open', 'overdue'];

/**
 * What an invoice (alias `i`) still owes, in minor units, as SQL: its amount less what its
 * payments applied (credit beyond the invoice does not pay it).
 */
export const INVOICE_OWED_SQL =
  'i.amount_minor - coalesce((SELECT sum(p.amount_minor - p.credit_minor) FROM premium_payments p WHERE p.invoice_id = i.id), 0)';

/** Unpaid and past its due date (the UTC day): open invoices whose day has passed, and those already marked overdue. */
export function overdueInvoiceWhere(): WhereOptions {
  return { [Op.or]: [{ status: 'overdue' }, { status: 'open', dueDate: { [Op.lt]: utcDay(Date.now()) } }] };
}

export const PAYMENT_METHODS = ['card', 'bank_transfer', 'cheque', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * `owed`: to be paid back by hand (a manual payment), `succeeded` once staff record it paid back;
 * `pending`/`succeeded`/`failed`: through the provider.
 */
export const REFUND_STATUSES = ['owed', 'pending', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

const invoiceColumns = () =>
  tenantRowColumns({
    subscriptionId: required.uuid(),
    /** The subscription's holder (it never changes): whose invoices a policyholder sees. */
    policyholderId: required.uuid(),
    /** `INV-<year>-<6 digits>`, unique in the tenant. */
    number: required.string(20),
    /** The subscription's renewal count when the term was billed: 0 for the first term. */
    term: required.integer(),
    sequence: required.integer(),
    amountMinor: required<number>(DataTypes.BIGINT, bigintAsNumber('amountMinor')),
    currency: required.char(3),
    dueDate: required.dateOnly(),
    status: required.string<InvoiceStatus>(20, { defaultValue: 'open' }),
    paidAt: optional.date(),
  });

export class Invoice extends modelOf('invoices', invoiceColumns) {}

const premiumPaymentColumns = () =>
  tenantRowColumns({
    invoiceId: required.uuid(),
    amountMinor: required<number>(DataTypes.BIGINT, bigintAsNumber('amountMinor')),
    /** The part of the amount beyond what the invoice still owed: a credit on the policy. */
    creditMinor: required<number>(DataTypes.BIGINT, { ...bigintAsNumber('creditMinor'), defaultValue: 0 }),
    currency: required.char(3),
    method: required.string<PaymentMethod>(20),
    reference: optional.string(200),
    provider: optional.string(20),
    providerPaymentId: optional.string(255),
    receivedAt: required.date(),
    recordedById: optional.uuid(),
    /**
     * Recorded after its term's cancellation had refunded the term (migration 0105): that refund did not count it,
     * so its credit is given back by a credit refund (docs/premiums.md, Credit given back).
     */
    afterCancellation: required.boolean({ defaultValue: false }),
  });

export class PremiumPayment extends modelOf('premium_payments', premiumPaymentColumns) {}

const premiumRefundColumns = () =>
  tenantRowColumns({
    subscriptionId: required.uuid(),
    invoiceId: required.uuid(),
    paymentId: optional.uuid(),
    amountMinor: required<number>(DataTypes.BIGINT, bigintAsNumber('amountMinor')),
    currency: required.char(3),
    reason: required.string(500),
    status: required.string<RefundStatus>(20),
    provider: optional.string(20),
    providerRefundId: optional.string(255),
    /** Names the refund's cause (a cancellation): the same cause never refunds twice. */
    dedupeKey: required.string(200),
    /** An `owed` refund paid back by hand (docs/premiums.md): when the money left, how, its reference, who recorded it. */
    paidAt: optional.date(),
    paidMethod: optional.string<PaymentMethod>(20),
    paidReference: optional.string(200),
    paidRecordedById: optional.uuid(),
  });

export class PremiumRefund extends modelOf('premium_refunds', premiumRefundColumns) {}

export interface BilledTerm {
  tenantId: string;
  subscriptionId: string;
  policyholderId: string;
  currency: string;
  /** The subscription's renewal count for the term billed. */
  term: number;
}

export interface IssuedInvoice {
  id: string;
  number: string;
  sequence: number;
  dueDate: string;
  amountMinor: number;
}

/** An invoices row's columns as an `IssuedInvoice`. */
const ISSUED_COLUMNS = `id, number, sequence, due_date::text AS "dueDate", amount_minor::float8 AS "amountMinor"`;

/**
 * Issues the term's instalments as invoices, once: a term already billed answers its invoices
 * and issues nothing (the subscription row is locked first, so two issues of one term queue).
 * Numbers come from the tenant's counter row for the current UTC year, taken in this transaction:
 * a rolled-back issue gives its numbers back, so the sequence has no gaps, and two tenants'
 * issues never wait for each other.
 */
export async function issueInstalments(
  sequelize: Sequelize,
  billed: BilledTerm,
  schedule: readonly Instalment[],
  transaction: Transaction,
): Promise<IssuedInvoice[]> {
  const select = { type: QueryTypes.SELECT, transaction } as const;
  await sequelize.query('SELECT 1 FROM subscriptions WHERE id = :id FOR UPDATE', {
    ...select,
    replacements: { id: billed.subscriptionId },
  });
  const existing = await sequelize.query<IssuedInvoice>(
    `SELECT ${ISSUED_COLUMNS}
       FROM invoices WHERE subscription_id = :subscriptionId AND term = :term ORDER BY sequence`,
    { ...select, replacements: { ...billed } },
  );
  if (existing.length > 0 || schedule.length === 0) return existing;
  return insertInvoices(sequelize, billed, schedule, transaction);
}

/**
 * Numbers and inserts invoices of the billed term with the sequences and due dates given (a
 * term's instalments, or a policy change's additional premium after them). The caller holds the
 * subscription row's lock and has checked that none of them exists yet.
 *
 * The tenant's counter row for the year is moved on by the statement that inserts the invoices, and
 * stays locked to the transaction's end: that is what keeps the numbers gapless (a rolled-back issue
 * gives its numbers back) and what makes every other issue of the tenant wait for this transaction. So
 * callers issue invoices as the last step of their transaction: only the writes that name the numbers
 * may follow (their entries in the books, an audit event; docs/premiums.md, Invoices).
 */
export async function insertInvoices(
  sequelize: Sequelize,
  billed: BilledTerm,
  schedule: readonly Instalment[],
  transaction: Transaction,
): Promise<IssuedInvoice[]> {
  return sequelize.query<IssuedInvoice>(
    `WITH counter AS (
       INSERT INTO invoice_number_counters (tenant_id, year, last_value)
       VALUES (:tenantId, extract(year FROM now() AT TIME ZONE 'UTC'), :count)
       ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = invoice_number_counters.last_value + EXCLUDED.last_value
       RETURNING last_value - :count AS last_before, year)
     INSERT INTO invoices (tenant_id, subscription_id, policyholder_id, number, term, sequence, amount_minor, currency, due_date)
     SELECT :tenantId, :subscriptionId, :policyholderId, 'INV-' || counter.year || '-' || lpad(n::text, greatest(6, length(n::text)), '0'),
            :term, sequence, amount_minor, :currency, due_date
       FROM counter,
            unnest(:sequences::int[], :amounts::int8[], :dueDates::date[]) WITH ORDINALITY AS i (sequence, amount_minor, due_date, position),
            LATERAL (SELECT counter.last_before + position AS n) AS numbered
      ORDER BY position
     RETURNING ${ISSUED_COLUMNS}`,
    {
      type: QueryTypes.SELECT,
      transaction,
      replacements: {
        ...billed,
        count: schedule.length,
        sequences: `{${schedule.map((instalment) => instalment.sequence).join(',')}}`,
        amounts: `{${schedule.map((instalment) => instalment.amountMinor).join(',')}}`,
        dueDates: `{${schedule.map((instalment) => instalment.dueDate).join(',')}}`,
      },
    },
  );
}

/** What a subscription row says about the term it is in. */
export interface TermOfRow {
  premium: string;
  currency: string;
  billingFrequency: BillingFrequency;
  durationMonths: number;
  startDate: string | null;
  endDate: string | null;
  renewalCount: number;
}

/** A subscriptions row's columns as a `TermOfRow` with its tenant. */
export const TERM_COLUMNS = `tenant_id AS "tenantId", policyholder_id AS "policyholderId", premium, currency, billing_frequency AS "billingFrequency",
  duration_months AS "durationMonths", start_date::text AS "startDate", end_date::text AS "endDate", renewal_count AS "renewalCount"`;

/**
 * The current term's start: the start date for the first term; after a renewal (which keeps the
 * start date and moves the end date on by the plan's duration), the duration before the end date.
 */
export function termStartOf(row: TermOfRow): string | null {
  if (!row.startDate || !row.endDate) return null;
  return row.renewalCount === 0 ? row.startDate : addMonths(row.endDate, -row.durationMonths);
}

/** The instalments of the row's current term; none for a row with no term yet or an amount its currency cannot hold. */
export function scheduleOfRow(row: TermOfRow): Instalment[] {
  const termStart = termStartOf(row);
  const premiumMinor = toMinorUnits(row.premium, row.currency);
  if (!termStart || premiumMinor === null) return [];
  return instalmentsOf({ premiumMinor, frequency: row.billingFrequency, termStart, durationMonths: row.durationMonths });
}
