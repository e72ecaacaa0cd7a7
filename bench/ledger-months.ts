/**
 * The months of the ledger growth curve's tenant (bench/ledger-growth.ts), closed as a real ledger
 * closes its past months: every month that has ended and holds entries is closed by the close's own
 * lock step (`lockClosingPeriod`: the month locked, its balances kept, its trial balance kept,
 * audited), without the close's earnings step, since the seeded journal carries its earnings. The
 * curve's journal grows into the past (its newest entries are the same at every size), so before it
 * grows, the oldest closed month, which the older entries land in, is reopened by the reopening
 * command (its kept balances dropped), as finance reopens a month to post in it: the later closed months
 * first, since months reopen latest first (docs/ledger.md, Closing a month).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { CommandDeps } from '../src/domain/command';
import { lockClosingPeriod, reopenLedgerPeriod } from '../src/domain/ledger/periods';
import type { User } from '../src/models';
import { buildUser, callerOf } from '../tests/support/factories';

export interface LedgerMonths {
  /** Reopens the closed months, latest first down to the oldest, before older entries are added. */
  reopenToOldest(): Promise<void>;
  /** Closes every month that has ended and is not closed, from the oldest entry's; answers how many. */
  closeEnded(): Promise<number>;
}

export async function ledgerMonths(sequelize: Sequelize, tenantId: string): Promise<LedgerMonths> {
  const admin: User = await buildUser({ tenantId, role: 'tenant_admin' });
  const auditSource = { actor: { type: 'user' as const, id: admin.id }, workflowId: null, runId: null };
  const months = (sql: string) =>
    sequelize
      .query<{ month: string }>(sql, { replacements: { tenantId }, type: QueryTypes.SELECT })
      .then((rows) => rows.map((row) => row.month));
  return {
    async reopenToOldest() {
      const closed = await months(
        `SELECT to_char(month, 'YYYY-MM') AS month FROM ledger_periods WHERE tenant_id = :tenantId AND status = 'closed' ORDER BY month DESC`,
      );
      const deps = { sequelize, auditSource } as CommandDeps;
      for (const month of closed) await reopenLedgerPeriod(callerOf(admin), { month, reason: 'The benchmark adds older entries' }, deps);
    },
    async closeEnded() {
      const ended = await months(
        `SELECT to_char(series.first, 'YYYY-MM') AS month
           FROM generate_series((SELECT date_trunc('month', min(posted_on)) FROM journal_entries WHERE tenant_id = :tenantId),
                                date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month', interval '1 month') AS series (first)
          WHERE NOT EXISTS (SELECT 1 FROM ledger_periods p WHERE p.tenant_id = :tenantId AND p.month = series.first::date AND p.status = 'closed')
          ORDER BY series.first`,
      );
      for (const month of ended) {
        await sequelize.query(
          `INSERT INTO ledger_periods AS p (tenant_id, month, status) VALUES (:tenantId, :first, 'closing')
           ON CONFLICT (tenant_id, month) DO UPDATE SET status = 'closing'`,
          { replacements: { tenantId, first: `${month}-01` } },
        );
        await lockClosingPeriod(sequelize, { tenantId, month, closedById: admin.id }, auditSource);
      }
      return ended.length;
    },
  };
}
