/**
 * When a claim entered its stage, when each stay began and the claim's policy type are kept by
 * PostgreSQL (migration 0030) for whoever writes the rows: the SLA breaches, the inbox's deadlines and the report's time in
 * each stage are read from them. A reassignment restarts nothing, and a retried history row that
 * ends in ON CONFLICT DO NOTHING changes nothing.
 */
import { QueryTypes } from 'sequelize';
import type { ClaimStage } from '../../src/contracts/claim';
import { Claim, ClaimHistory } from '../../src/models';
import { POLICY_TYPES } from '../../src/models/plan';
import { buildClaim } from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';

const HOUR_MS = 3_600_000;

describe('claim stays kept by the database', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  const at = (hoursAfterFiling: number, filedAt: Date) => new Date(filedAt.getTime() + hoursAfterFiling * HOUR_MS);

  async function record(claim: Claim, sequence: number, from: ClaimStage, to: ClaimStage, occurredAt: Date) {
    await ClaimHistory.bulkCreate(
      [{ tenantId: claim.tenantId, claimId: claim.id, sequence, actorId: null, fromStatus: from, toStatus: to, occurredAt }],
      { ignoreDuplicates: true },
    );
  }

  const stageEnteredAt = async (claim: Claim) =>
    (
      await stack.db.sequelize.query<{ stage_entered_at: Date | null }>('SELECT stage_entered_at FROM claims WHERE id = :id', {
        replacements: { id: claim.id },
        type: QueryTypes.SELECT,
      })
    )[0].stage_entered_at;

  const stays = (claim: Claim) =>
    stack.db.sequelize.query<{ sequence: number; stay_started_at: Date | null }>(
      'SELECT sequence, stay_started_at FROM claim_history WHERE claim_id = :id ORDER BY sequence',
      { replacements: { id: claim.id }, type: QueryTypes.SELECT },
    );

  it('sets the stage entry on filing and on each stage change, and each stay’s start on the row that ends it', async () => {
    const filedAt = new Date(Date.now() - 100 * HOUR_MS);
    const claim = await buildClaim({ filedAt });
    expect(await stageEnteredAt(claim)).toEqual(filedAt);

    await record(claim, 1, 'reported', 'assigned', at(2, filedAt));
    await record(claim, 2, 'assigned', 'assigned', at(5, filedAt)); // a reassignment
    await record(claim, 3, 'assigned', 'under_review', at(9, filedAt));
    expect(await stageEnteredAt(claim)).toEqual(at(9, filedAt));
    expect(await stays(claim)).toEqual([
      { sequence: 0, stay_started_at: null },
      { sequence: 1, stay_started_at: filedAt },
      { sequence: 2, stay_started_at: null },
      // The stay in `assigned` began at its entry, not at the reassignment.
      { sequence: 3, stay_started_at: at(2, filedAt) },
    ]);
  });

  it('a claim keeps the policy type its subscription was issued with, whatever its writer gave', async () => {
    const claim = await buildClaim();
    const [row] = await stack.db.sequelize.query<{ claim_type: string; issued_type: string }>(
      `SELECT c.policy_type AS claim_type, s.policy_type AS issued_type FROM claims c JOIN subscriptions s ON s.id = c.subscription_id
        WHERE c.id = :id`,
      { replacements: { id: claim.id }, type: QueryTypes.SELECT },
    );
    expect(row.claim_type).toBe(row.issued_type);
    expect(POLICY_TYPES).toContain(row.claim_type);
  });

  it('a reassignment moves no deadline, and a retried row changes nothing', async () => {
    const filedAt = new Date(Date.now() - 50 * HOUR_MS);
    const claim = await buildClaim({ filedAt });
    await record(claim, 1, 'reported', 'assigned', at(1, filedAt));
    await record(claim, 2, 'assigned', 'under_review', at(2, filedAt));
    await record(claim, 3, 'under_review', 'under_review', at(3, filedAt));
    expect(await stageEnteredAt(claim)).toEqual(at(2, filedAt));

    // The first attempt's row of sequence 1, written again with another time, is ignored.
    await record(claim, 1, 'reported', 'assigned', at(30, filedAt));
    expect(await stageEnteredAt(claim)).toEqual(at(2, filedAt));
    expect((await stays(claim)).map((row) => row.stay_started_at)).toEqual([null, filedAt, at(1, filedAt), null]);
  });
});
