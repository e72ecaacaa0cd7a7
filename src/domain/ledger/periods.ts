/**
 * A tenant's months in the books (docs/ledger.md, Closing a month). Closing a month that has
 * ended records it `closing` and, in the same transaction, the start of its run
 * `ledger-close-<tenantId>-<YYYY-MM>` (outbox); the run posts the month's earned premium
 * (`earnings.ts`) and then locks it here: `closed`, with who asked and the trial balance as of the
 * month's last day. From then on PostgreSQL refuses any entry dated in it (migration 0079). A
 * tenant admin may reopen it, the latest closed month first, with a reason (audited): postings dated
 * in it are accepted again, and it may be closed again.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { tenantOf } from '../../access/core';
import { ledgerCloseRun, type LedgerCloseInput, type LedgerCloseWorkflow, type LedgerPeriodStatus } from '../../contracts/ledger-close';
import type { AuthUser } from '../../shared/caller';
import { conflict, notFound, unprocessable } from '../../shared/errors';
import { dropMonthBalances, keepMonthBalances } from '../../models/ledger-kept-balances';
import { recordAudit, type AuditSource } from '../audit/record';
import type { Command, CommandDeps } from '../command';
import { writeWithStart } from '../runs';
import { keptTrialBalance, trialBalance, trialBalanceView, type KeptTrialBalance } from './trial-balance';
import { utcDay } from '../../shared/time';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A month (`YYYY-MM`) as days: its first, its last (E, the day its earnings are dated) and the first of the next. */
export function monthDays(month: string): { first: string; last: string; next: string } {
  const [year, monthNumber] = month.split('-').map(Number);
  const next = Date.UTC(year, monthNumber, 1);
  return { first: `${month}-01`, last: utcDay(next - DAY_MS), next: utcDay(next) };
}

/** A month has ended once its next month has begun (UTC). */
export const hasEnded = (month: string, now = new Date()) => monthDays(month).next <= utcDay(now.getTime());

interface PeriodRow {
  month: string;
  status: LedgerPeriodStatus;
  closedAt: Date | null;
  closedById: string | null;
  reopenedAt: Date | null;
  reopenedById: string | null;
  reopenReason: string | null;
  trialBalance: KeptTrialBalance | null;
  createdAt: Date;
  updatedAt: Date;
}

const PERIOD_COLUMNS = `to_char(month, 'YYYY-MM') AS month, status, closed_at AS "closedAt", closed_by_id AS "closedById",
  reopened_at AS "reopenedAt", reopened_by_id AS "reopenedById", reopen_reason AS "reopenReason",
  trial_balance AS "trialBalance", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** A period as answers show it: its run, and the trial balance at the close in decimal strings. */
export function ledgerPeriodView(tenantId: string, row: PeriodRow) {
  return {
    ...row,
    workflowId: ledgerCloseRun.id(tenantId, row.month),
    trialBalance: row.trialBalance && trialBalanceView(row.trialBalance),
  };
}
export type LedgerPeriodView = ReturnType<typeof ledgerPeriodView>;

async function periodRow(sequelize: Sequelize, tenantId: string, month: string, transaction?: Transaction): Promise<PeriodRow | null> {
  const [row] = await sequelize.query<PeriodRow>(
    `SELECT ${PERIOD_COLUMNS} FROM ledger_periods WHERE tenant_id = :tenantId AND month = :first${transaction ? ' FOR UPDATE' : ''}`,
    { replacements: { tenantId, first: monthDays(month).first }, type: QueryTypes.SELECT, transaction },
  );
  return row ?? null;
}

/** The caller's tenant's period of `month`; 404 when it was never closed (another tenant's is never seen). */
export async function ledgerPeriodOf(caller: AuthUser, month: string, deps: Pick<CommandDeps, 'sequelize'>): Promise<LedgerPeriodView> {
  const tenantId = tenantOf(caller);
  const row = await periodRow(deps.sequelize, tenantId, month);
  if (!row) throw notFound('Ledger period');
  return ledgerPeriodView(tenantId, row);
}

/** A window of the caller's tenant's periods, latest month first, and how many there are. */
export async function ledgerPeriods(
  caller: AuthUser,
  window: { limit: number; offset: number; status?: LedgerPeriodStatus },
  deps: Pick<CommandDeps, 'sequelize'>,
): Promise<{ rows: LedgerPeriodView[]; total: number }> {
  const tenantId = tenantOf(caller);
  const where = `tenant_id = :tenantId${window.status ? ' AND status = :status' : ''}`;
  const replacements = { tenantId, status: window.status ?? null, limit: window.limit, offset: window.offset };
  const [rows, [{ total }]] = await Promise.all([
    deps.sequelize.query<PeriodRow>(
      `SELECT ${PERIOD_COLUMNS} FROM ledger_periods WHERE ${where} ORDER BY month DESC LIMIT :limit OFFSET :offset`,
      {
        replacements,
        type: QueryTypes.SELECT,
      },
    ),
    deps.sequelize.query<{ total: number }>(`SELECT count(*)::int AS total FROM ledger_periods WHERE ${where}`, {
      replacements,
      type: QueryTypes.SELECT,
    }),
  ]);
  return { rows: rows.map((row) => ledgerPeriodView(tenantId, row)), total };
}

/**
 * The tenant's earliest month before `month` that is not `closed`, counting from the month of its
 * first entry (null when there is none). A month is earned on the books as they stand at its end, from
 * the day after the term's latest earning: a later month closed first would earn the earlier one's
 * premium, and its trial balance would go stale as the earlier one is posted to.
 */
async function earliestOpenMonthBefore(sequelize: Sequelize, tenantId: string, month: string, transaction: Transaction) {
  const [row] = await sequelize.query<{ month: string }>(
    `SELECT to_char(m, 'YYYY-MM') AS month
       FROM generate_series((SELECT date_trunc('month', min(posted_on)) FROM journal_entries WHERE tenant_id = :tenantId),
                            :first::date - interval '1 month', interval '1 month') AS m
      WHERE NOT EXISTS (SELECT 1 FROM ledger_periods p WHERE p.tenant_id = :tenantId AND p.month = m::date AND p.status = 'closed')
      ORDER BY m LIMIT 1`,
    { replacements: { tenantId, first: monthDays(month).first }, type: QueryTypes.SELECT, transaction },
  );
  return row?.month ?? null;
}

/**
 * Holds the tenant's periods while a close or a reopening decides on them, so that a close checking the
 * months before it and a reopening checking the months after it never pass each other.
 */
async function holdTenantPeriods(sequelize: Sequelize, tenantId: string, transaction: Transaction): Promise<void> {
  await sequelize.query("SELECT pg_advisory_xact_lock(hashtextextended('ledger_periods:' || :tenantId, 0))", {
    replacements: { tenantId },
    type: QueryTypes.SELECT,
    transaction,
  });
}

/** The tenant's latest month after `month` that is `closed` or `closing` (null when there is none). */
async function latestClosedMonthAfter(sequelize: Sequelize, tenantId: string, month: string, transaction: Transaction) {
  const [row] = await sequelize.query<{ month: string }>(
    `SELECT to_char(month, 'YYYY-MM') AS month FROM ledger_periods
      WHERE tenant_id = :tenantId AND month > :first AND status IN ('closed', 'closing') ORDER BY month DESC LIMIT 1`,
    { replacements: { tenantId, first: monthDays(month).first }, type: QueryTypes.SELECT, transaction },
  );
  return row?.month ?? null;
}

/**
 * Closes a month that has ended (422 before), unless it is closed already (409) or an earlier month
 * of the tenant's books is not closed yet (409 naming the earliest: months close in order): the
 * period is `closing` and its run is started. Asked again while it is closing, it starts the run
 * again if that one has ended without locking it (a run still going is joined), so a close never
 * sticks. Two months asked at once need no lock between them: the later one waits for the earlier
 * one to be `closed`, which only its run makes it, after this transaction has committed.
 */
export const closeLedgerPeriod: Command<{ month: string }, LedgerPeriodView> = async (caller, { month }, deps) => {
  const tenantId = tenantOf(caller);
  if (!hasEnded(month))
    throw unprocessable(`${month} has not ended: a month is closed once it is over`, [
      { field: 'month', message: 'must be a month that has ended' },
    ]);
  const workflowId = ledgerCloseRun.id(tenantId, month);
  const { written } = await writeWithStart<LedgerCloseWorkflow, PeriodRow>(deps, async (transaction) => {
    await holdTenantPeriods(deps.sequelize, tenantId, transaction);
    const openBefore = await earliestOpenMonthBefore(deps.sequelize, tenantId, month, transaction);
    if (openBefore)
      throw conflict(`Close ${openBefore} first: the books are closed month by month, and ${openBefore} is not closed yet`, [
        { field: 'month', message: `${openBefore} is still open`, rule: 'ledger_period_open_before' },
      ]);
    const [row] = await deps.sequelize.query<PeriodRow>(
      `INSERT INTO ledger_periods AS p (tenant_id, month, status) VALUES (:tenantId, :first, 'closing')
       ON CONFLICT (tenant_id, month) DO UPDATE SET status = 'closing', updated_at = now() WHERE p.status <> 'closed'
       RETURNING ${PERIOD_COLUMNS}`,
      { replacements: { tenantId, first: monthDays(month).first }, type: QueryTypes.SELECT, transaction },
    );
    if (!row)
      throw conflict(`The books for ${month} are closed already`, [
        { field: 'month', message: 'is closed: a tenant admin may reopen it', rule: 'ledger_period_closed' },
      ]);
    return {
      written: row,
      workflowId,
      start: {
        workflowType: ledgerCloseRun.type,
        args: [{ tenantId, month, closedById: caller.id }],
        tenantId,
        status: 'posting_earnings',
        summary: `Close the books for ${month}: post the earned premium, then lock the month`,
        // A close after a reopening (or after a run that ended without locking) runs under the same ID.
        replacesEndedRun: true,
      },
    };
  });
  return ledgerPeriodView(tenantId, written);
};

/**
 * Reopens a closed month (tenant admins; 409 unless it is closed, 404 when it never was), audited with the
 * reason; 409 while a later month is closed or closing (naming the latest): months reopen latest first, as
 * they close earliest first. A later closed month keeps the trial balance of its close, which counts
 * every month before it, and earned its premium from where the earlier month's earnings ended: a posting
 * in the reopened month would leave both stale behind a month that still reads closed. Reopened latest
 * first, each month affected is reopened on the record, and closed again after the earlier one.
 */
export const reopenLedgerPeriod: Command<{ month: string; reason: string }, LedgerPeriodView> = async (caller, { month, reason }, deps) => {
  const tenantId = tenantOf(caller);
  const reopened = await deps.sequelize.transaction(async (transaction) => {
    await holdTenantPeriods(deps.sequelize, tenantId, transaction);
    const current = await periodRow(deps.sequelize, tenantId, month, transaction);
    if (!current) throw notFound('Ledger period');
    if (current.status !== 'closed')
      throw conflict(`The books for ${month} are ${current.status}: only a closed month is reopened`, [
        { field: 'month', message: 'must be closed' },
      ]);
    const closedAfter = await latestClosedMonthAfter(deps.sequelize, tenantId, month, transaction);
    if (closedAfter)
      throw conflict(`Reopen ${closedAfter} first: the books are reopened from the latest closed month, and ${closedAfter} is closed`, [
        { field: 'month', message: `${closedAfter} is closed`, rule: 'ledger_period_closed_after' },
      ]);
    // Postings dated in the month are accepted again: its lines are read, not its kept balances.
    await dropMonthBalances(deps.sequelize, tenantId, monthDays(month).first, transaction);
    const [row] = await deps.sequelize.query<PeriodRow>(
      `UPDATE ledger_periods SET status = 'reopened', reopened_at = now(), reopened_by_id = :userId, reopen_reason = :reason, updated_at = now()
        WHERE tenant_id = :tenantId AND month = :first RETURNING ${PERIOD_COLUMNS}`,
      { replacements: { tenantId, first: monthDays(month).first, userId: caller.id, reason }, type: QueryTypes.SELECT, transaction },
    );
    await recordAudit(
      deps.auditSource,
      {
        tenantId,
        action: 'ledger.period_reopened',
        entityType: 'ledger_period',
        entityId: month,
        before: { status: current.status },
        after: { status: row.status, reopenReason: row.reopenReason },
      },
      transaction,
    );
    return row;
  });
  return ledgerPeriodView(tenantId, reopened);
};

/**
 * The run's last step, in two transactions. First the month is locked: under the exclusive lock
 * of the tenant's month, which waits for every posting dated in it that is still being written
 * (they hold it shared, migration 0079), a `closing` period becomes `closed`, so that no entry
 * lands in it from then on, and its balances are kept (src/models/ledger-kept-balances.ts: exact,
 * since nothing more can land). Then the trial balance as of its last day is kept with it,
 * audited. Answers false when there was nothing to lock or keep (an earlier attempt did both); a
 * retry after the first step finishes the second.
 */
export async function lockClosingPeriod(sequelize: Sequelize, input: LedgerCloseInput, auditSource: AuditSource): Promise<boolean> {
  const { first, last } = monthDays(input.month);
  const replacements = { tenantId: input.tenantId, first, closedById: input.closedById };
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('SELECT pg_advisory_xact_lock(ledger_period_lock_key(:tenantId, :first))', {
      replacements,
      type: QueryTypes.SELECT,
      transaction,
    });
    await sequelize.query(
      `UPDATE ledger_periods SET status = 'closed', closed_at = now(), closed_by_id = :closedById, trial_balance = NULL, updated_at = now()
        WHERE tenant_id = :tenantId AND month = :first AND status = 'closing'`,
      { replacements, transaction },
    );
    await keepMonthBalances(sequelize, input.tenantId, first, transaction);
  });
  return sequelize.transaction(async (transaction) => {
    const current = await periodRow(sequelize, input.tenantId, input.month, transaction);
    if (current?.status !== 'closed' || current.trialBalance) return false;
    const balance = await trialBalance(sequelize, input.tenantId, last, { transaction });
    const [row] = await sequelize.query<PeriodRow>(
      `UPDATE ledger_periods SET trial_balance = :balance::jsonb, updated_at = now()
        WHERE tenant_id = :tenantId AND month = :first AND status = 'closed' AND trial_balance IS NULL RETURNING ${PERIOD_COLUMNS}`,
      { replacements: { ...replacements, balance: keptTrialBalance(balance) }, type: QueryTypes.SELECT, transaction },
    );
    if (!row) return false;
    await recordAudit(
      auditSource,
      {
        tenantId: input.tenantId,
        action: 'ledger.period_closed',
        entityType: 'ledger_period',
        entityId: input.month,
        before: { status: 'closing' },
        after: { status: row.status, closedAt: row.closedAt, closedById: row.closedById, balanced: balance.balanced },
      },
      transaction,
    );
    return true;
  });
}
