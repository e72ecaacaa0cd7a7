/**
 * Migration 0058 on a database that already holds a claim's payment (real PostgreSQL): taken back
 * to before it, given a paid claim as it was recorded then, and migrated again. The old payment
 * becomes the claim's cleared settlement and counts as paid; a claim may then have more payments.
 */
import { QueryTypes } from 'sequelize';
import * as claimPayments from '../../src/models/migrations/0058-claim-payments';
import type { Claim } from '../../src/models';
import { financialsOf } from '../../src/domain/claims/money';
import { buildClaim } from '../support/factories';
import { migrationOnExistingRows } from '../support/migrations';

describe('migration 0058 (claim payments) on existing rows', () => {
  const migration = migrationOnExistingRows(claimPayments);

  it('keeps a payment made before as the claim’s cleared settlement, and lets the claim have several', async () => {
    const insert = (claim: Claim, reference: string) =>
      migration.sequelize.query(
        `INSERT INTO payments (id, tenant_id, claim_id, amount, reference, paid_at, created_at, updated_at)
         VALUES (gen_random_uuid(), :tenantId, :claimId, 750, :reference, now(), now(), now())`,
        { replacements: { tenantId: claim.tenantId, claimId: claim.id, reference } },
      );
    const claim = await migration.migrate(async () => {
      const claim = await buildClaim({ status: 'closed', amountApproved: '750.00' });
      await insert(claim, 'PAY-OLD-1');
      // Before 0058 a claim had one payment at most.
      await expect(insert(claim, 'PAY-OLD-2')).rejects.toMatchObject({ name: 'SequelizeUniqueConstraintError' });
      return claim;
    });

    const rows = await migration.sequelize.query<{
      kind: string;
      status: string;
      cost_type: string;
      category: string;
      paid_at: Date | null;
    }>('SELECT kind, status, cost_type, category, paid_at FROM payments WHERE claim_id = :claimId', {
      replacements: { claimId: claim.id },
      type: QueryTypes.SELECT,
    });
    expect(rows).toEqual([{ kind: 'settlement', status: 'cleared', cost_type: 'indemnity', category: 'other', paid_at: expect.any(Date) }]);
    expect((await financialsOf([claim.id])).get(claim.id)).toMatchObject({ paid: '750.00', outstanding: '0.00' });
    await insert(claim, 'PAY-OLD-2');
    expect((await financialsOf([claim.id])).get(claim.id)).toMatchObject({ paid: '1500.00' });
  });
});
