/**
 * Migration 0030 on a database that already holds claims (real PostgreSQL): taken back to before
 * it, given a claim with a history (a reassignment among its moves), then migrated again, twice.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { down, up } from '../../src/models/migrations/0030-claim-report-columns';
import * as deadlineDays from '../../src/models/migrations/0069-claim-deadline-days';
import { ClaimHistory, Subscription } from '../../src/models';
import { buildClaim } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';

const HOUR_MS = 3_600_000;

describe('migration 0030 (claim report columns) on existing rows', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
  });
  afterAll(() => db?.close());

  it('fills each claim’s stage entry and policy type and each stay’s start, and may run again', async () => {
    // 0069's triggers read the columns 0030 adds: taken back first, and brought back last.
    await deadlineDays.down(sequelize.getQueryInterface());
    await down(sequelize.getQueryInterface());
    const filedAt = new Date(Date.now() - 30 * HOUR_MS);
    const claim = await buildClaim({ filedAt });
    const at = (hours: number) => new Date(filedAt.getTime() + hours * HOUR_MS);
    const moves: Array<[sequence: number, from: 'reported' | 'assigned', to: 'assigned' | 'under_review', hours: number]> = [
      [1, 'reported', 'assigned', 1],
      [2, 'assigned', 'assigned', 4], // a reassignment
      [3, 'assigned', 'under_review', 6],
    ];
    for (const [sequence, fromStatus, toStatus, hours] of moves) {
      await ClaimHistory.create({
        tenantId: claim.tenantId,
        claimId: claim.id,
        sequence,
        actorId: null,
        fromStatus,
        toStatus,
        occurredAt: at(hours),
      });
    }

    await up(sequelize.getQueryInterface());
    await up(sequelize.getQueryInterface());
    await deadlineDays.up(sequelize.getQueryInterface());

    const [row] = await sequelize.query<{ stage_entered_at: Date; policy_type: string }>(
      'SELECT stage_entered_at, policy_type FROM claims WHERE id = :id',
      { replacements: { id: claim.id }, type: QueryTypes.SELECT },
    );
    const subscription = await Subscription.findByPk(claim.subscriptionId, { rejectOnEmpty: true });
    expect(row).toEqual({ stage_entered_at: at(6), policy_type: subscription.policyType });
    const stays = await sequelize.query<{ stay_started_at: Date | null }>(
      'SELECT stay_started_at FROM claim_history WHERE claim_id = :id ORDER BY sequence',
      { replacements: { id: claim.id }, type: QueryTypes.SELECT },
    );
    expect(stays.map((stay) => stay.stay_started_at)).toEqual([null, filedAt, null, at(1)]);
    const [{ count }] = await sequelize.query<{ count: string }>(
      `SELECT count(*) AS count FROM pg_indexes WHERE indexname IN ('claims_tenant_status_stage_entered_at', 'claim_history_tenant_stays', 'claims_tenant_filed', 'claims_tenant_created_at')`,
      { type: QueryTypes.SELECT },
    );
    // The three new indexes, and 0025's claims_tenant_created_at gone.
    expect(Number(count)).toBe(3);
  });
});
