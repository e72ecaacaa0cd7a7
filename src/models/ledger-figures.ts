/**
 * The reconciled accounts' figures (docs/ledger.md, Reconciliation), from both sides: what the
 * operational rows say each account holds and what the journal says, for one tenant in one
 * currency, in minor units on the account's own side (an asset's debits less its credits, a
 * liability's credits less its debits). Reconciliation compares the two; migration 0080's opening
 * balances post their difference for the rows that existed before the books.
 *
 * The claims' amounts are decimals in the claim's currency (its plan's); they are summed as
 * PostgreSQL's exact numerics and scaled once to the currency's minor unit. Every figure is read as a
 * bigint: a sum may pass 2^53 minor units, where a JS number is no longer exact and two different
 * figures could compare equal.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { INVOICE_OWED_SQL } from './invoice';
import { minorUnitDigits } from '../shared/money';

/** The accounts whose balance the operational rows determine, each with the rows that say it. */
export const RECONCILED_ACCOUNTS = [
  'premium_receivable',
  'refunds_payable',
  'loss_reserves',
  'claim_payments_payable',
  'claim_payments_in_transit',
] as const;
export type ReconciledAccount = (typeof RECONCILED_ACCOUNTS)[number];

/** Liabilities grow by credits; the one asset here, the receivable, by debits. */
const CREDIT_SIDE: readonly ReconciledAccount[] = RECONCILED_ACCOUNTS.filter((account) => account !== 'premium_receivable');

export type AccountFigures = Record<ReconciledAccount, bigint>;

/** Claims (alias `c`) with their currency: their policy's (`s.currency`, the subscription's row). */
const CLAIM_CURRENCY = 'claims c JOIN subscriptions s ON s.id = c.subscription_id';

/**
 * What the rows say, one statement: what open and overdue invoices still owe; refunds owed or with
 * the provider; the claims' reserve lines; claim payments requested or approved, and issued.
 */
const ROW_FIGURES_SQL = `SELECT
  (SELECT coalesce(sum(${INVOICE_OWED_SQL}), 0) FROM invoices i
    WHERE i.tenant_id = :tenantId AND i.currency = :currency AND i.status IN ('open', 'overdue'))::bigint AS premium_receivable,
  (SELECT coalesce(sum(amount_minor), 0) FROM premium_refunds
    WHERE tenant_id = :tenantId AND currency = :currency AND status IN ('owed', 'pending'))::bigint AS refunds_payable,
  (SELECT round(coalesce(sum(l.amount), 0) * power(10::numeric, :digits)) FROM claim_reserve_lines l JOIN ${CLAIM_CURRENCY} ON c.id = l.claim_id
    WHERE l.tenant_id = :tenantId AND s.currency = :currency)::bigint AS loss_reserves,
  (SELECT round(coalesce(sum(p.amount), 0) * power(10::numeric, :digits)) FROM payments p JOIN ${CLAIM_CURRENCY} ON c.id = p.claim_id
    WHERE p.tenant_id = :tenantId AND coalesce(p.currency, s.currency) = :currency AND p.status IN ('requested', 'approved'))::bigint
    AS claim_payments_payable,
  (SELECT round(coalesce(sum(p.amount), 0) * power(10::numeric, :digits)) FROM payments p JOIN ${CLAIM_CURRENCY} ON c.id = p.claim_id
    WHERE p.tenant_id = :tenantId AND coalesce(p.currency, s.currency) = :currency AND p.status = 'issued')::bigint
    AS claim_payments_in_transit`;

const asBigints = (row: Record<string, string>): AccountFigures =>
  Object.fromEntries(RECONCILED_ACCOUNTS.map((account) => [account, BigInt(row[account] ?? 0)])) as AccountFigures;

/** What the operational rows say the accounts hold. */
export async function rowFigures(
  sequelize: Sequelize,
  tenantId: string,
  currency: string,
  transaction?: Transaction,
): Promise<AccountFigures> {
  const [row] = await sequelize.query<Record<string, string>>(ROW_FIGURES_SQL, {
    replacements: { tenantId, currency, digits: minorUnitDigits(currency) },
    type: QueryTypes.SELECT,
    transaction,
  });
  return asBigints(row);
}

/** What the journal says the accounts hold. */
export async function bookFigures(
  sequelize: Sequelize,
  tenantId: string,
  currency: string,
  transaction?: Transaction,
): Promise<AccountFigures> {
  const rows = await sequelize.query<{ account: ReconciledAccount; net: string }>(
    `SELECT account_code AS account, sum(debit_minor - credit_minor)::text AS net FROM journal_lines
      WHERE tenant_id = :tenantId AND currency = :currency AND account_code IN (:accounts) GROUP BY account_code`,
    { replacements: { tenantId, currency, accounts: RECONCILED_ACCOUNTS }, type: QueryTypes.SELECT, transaction },
  );
  const figures = asBigints({});
  for (const { account, net } of rows) figures[account] = CREDIT_SIDE.includes(account) ? -BigInt(net) : BigInt(net);
  return figures;
}

/** Every currency the tenant has money in: its journal's, its invoices' and refunds', its policies' (the claims'). */
export async function currenciesOf(sequelize: Sequelize, tenantId: string, transaction?: Transaction): Promise<string[]> {
  const rows = await sequelize.query<{ currency: string }>(
    `SELECT DISTINCT currency FROM journal_lines WHERE tenant_id = :tenantId
     UNION SELECT DISTINCT currency FROM invoices WHERE tenant_id = :tenantId
     UNION SELECT DISTINCT currency FROM premium_refunds WHERE tenant_id = :tenantId
     UNION SELECT DISTINCT currency FROM subscriptions WHERE tenant_id = :tenantId
     ORDER BY currency`,
    { replacements: { tenantId }, type: QueryTypes.SELECT, transaction },
  );
  return rows.map((row) => row.currency.trim());
}
