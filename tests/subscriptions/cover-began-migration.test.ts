/**
 * Migration 0098 on a database that already holds subscriptions (real PostgreSQL): taken back to before
 * it, given policies in each state with and without the audit events of their move to active, then
 * migrated again. The day their cover began comes from those events, else from the start date of a policy
 * that is or was active; the others never began.
 */
import { QueryTypes } from 'sequelize';
import * as coverBegan from '../../src/models/migrations/0098-cover-began-on';
import { Subscription } from '../../src/models';
import { buildPlan, buildTenant, buildUser } from '../support/factories';
import { migrationOnExistingRows } from '../support/migrations';

describe('migration 0098 (the day cover began) on existing rows', () => {
  const migration = migrationOnExistingRows(coverBegan);

  it('fills each row from its first activation or waiver event, else the start date of one that is or was active', async () => {
    const rows = await migration.migrate(async (sequelize) => {
      const tenant = await buildTenant();
      const plan = await buildPlan({ tenantId: tenant.id });
      const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });

      /** A row as the release before wrote it, and its audit events: [action, occurred at]. */
      async function policy(
        status: string,
        startDate: string | null,
        renewalCount: number,
        events: Array<[action: string, occurredAt: string]>,
      ): Promise<string> {
        const [row] = await sequelize.query<{ id: string }>(
          `INSERT INTO subscriptions (id, tenant_id, plan_id, policyholder_id, status, coverage_amount, premium, duration_months,
                                    start_date, end_date, renewal_count, created_at, updated_at)
         VALUES (gen_random_uuid(), :tenantId, :planId, :holderId, :status, 1000, 10, 12,
                 CAST(:startDate AS date), CAST(:startDate AS date) + 365, :renewalCount, now(), now()) RETURNING id`,
          {
            type: QueryTypes.SELECT,
            replacements: { tenantId: tenant.id, planId: plan.id, holderId: holder.id, status, startDate, renewalCount },
          },
        );
        for (const [action, occurredAt] of events) {
          await sequelize.query(
            `INSERT INTO audit_events (tenant_id, occurred_at, actor_type, action, entity_type, entity_id, changes)
           VALUES (:tenantId, :occurredAt, 'system', :action, 'subscription', :id, '{}')`,
            { replacements: { tenantId: tenant.id, occurredAt, action, id: row.id } },
          );
        }
        return row.id;
      }

      const written: Array<[id: Promise<string>, coverBeganOn: string | null]> = [
        // Activated at once: the day of its issue.
        [policy('active', '2026-01-10', 0, [['subscription.activate', '2026-01-10T09:00:00Z']]), '2026-01-10'],
        // Waited for its first premium, paid late in the evening (UTC) of the 11th, then lapsed: that day.
        [
          policy('lapsed', '2026-02-01', 0, [
            ['subscription.await_payment', '2026-02-01T08:00:00Z'],
            ['subscription.activate', '2026-02-11T23:30:00Z'],
            ['subscription.lapse', '2026-05-01T00:00:00Z'],
          ]),
          '2026-02-11',
        ],
        // Its first premium waived, then cancelled.
        [policy('cancelled', '2026-03-01', 0, [['subscription.waive_first_premium', '2026-03-04T10:00:00Z']]), '2026-03-04'],
        // No event left (an archived partition): it is or was active, so it covered from its start date.
        [policy('expired', '2025-01-01', 0, []), '2025-01-01'],
        [policy('active', '2025-06-01', 0, []), '2025-06-01'],
        [policy('cancelled', '2024-06-01', 1, []), '2024-06-01'],
        // Never began: cancelled while its first premium was awaited, still awaiting it, or pending.
        [policy('cancelled', '2026-04-01', 0, [['subscription.cancel', '2026-04-20T10:00:00Z']]), null],
        [policy('pending_payment', '2026-04-01', 0, []), null],
        [policy('pending', null, 0, []), null],
      ];
      return Promise.all(written.map(async ([id, coverBeganOn]) => [await id, coverBeganOn] as const));
    });

    const ids = rows.map(([id]) => id);
    const migrated = await Subscription.findAll({ where: { id: ids }, attributes: ['id', 'coverBeganOn'] });
    const byId = new Map(migrated.map((row) => [row.id, row.coverBeganOn]));
    expect(ids.map((id) => byId.get(id))).toEqual(rows.map(([, coverBeganOn]) => coverBeganOn));
  });
});
