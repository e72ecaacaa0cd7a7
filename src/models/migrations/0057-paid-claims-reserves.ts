/**
 * Claims paid before reserves were kept (docs/claim-money.md, Claims from before): each one's
 * payment gets the reserve it was paid from and the release of that reserve as the claim closed,
 * so an old paid claim and a new one read alike (outstanding 0, paid, incurred). Claims with any
 * reserve change are left as they are, so the migration may run again.
 */
import type { MigrationFn } from './helpers';

const REASON = 'Reserve of a claim paid before reserves were kept';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    const sql = (statement: string) => qi.sequelize.query(statement, { transaction, replacements: { reason: REASON } });
    await sql(`CREATE TEMPORARY TABLE paid_before_reserves ON COMMIT DROP AS
      SELECT c.id AS claim_id, c.tenant_id, p.amount, p.paid_at, c.status, c.updated_at
        FROM claims c JOIN payments p ON p.claim_id = c.id
       WHERE NOT EXISTS (SELECT 1 FROM claim_reserve_changes r WHERE r.claim_id = c.id)`);
    await sql(`INSERT INTO claim_reserve_changes (id, tenant_id, claim_id, cost_type, category, amount_before, amount, reason, status,
                                                 requested_at, created_at, updated_at)
      SELECT gen_random_uuid(), tenant_id, claim_id, 'indemnity', 'other', 0, amount, :reason, 'applied', paid_at, now(), now()
        FROM paid_before_reserves`);
    await sql(`INSERT INTO claim_reserve_changes (id, tenant_id, claim_id, cost_type, category, amount_before, amount, reason, status,
                                                 requested_at, created_at, updated_at)
      SELECT gen_random_uuid(), tenant_id, claim_id, 'indemnity', 'other', amount, 0, :reason, 'released',
             greatest(paid_at, updated_at), now(), now()
        FROM paid_before_reserves`);
    await sql(`INSERT INTO claim_reserve_lines (id, tenant_id, claim_id, cost_type, category, amount, created_at, updated_at)
      SELECT gen_random_uuid(), tenant_id, claim_id, 'indemnity', 'other', 0, now(), now() FROM paid_before_reserves
      ON CONFLICT (claim_id, cost_type, category) DO NOTHING`);
  });
};

/** Nothing to undo that 0056's down does not: the rows go with its tables. */
export const down: MigrationFn = async () => {};
