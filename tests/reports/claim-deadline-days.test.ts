/**
 * The open claims kept per deadline stage and day (migration 0069) on real PostgreSQL, and the SLA
 * breach count read from them: through filings, stage changes, moves of the stage's entry, due
 * instants in business time to come and past, deletions and a tenant's own hours, the kept days
 * are exactly what grouping the claims says, and the count is exactly the open claims past their
 * deadline counted one by one (the definition, docs/claims.md, Deadlines).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { ClaimStage } from '../../src/contracts/claim';
import { slaBreachCounts } from '../../src/domain/reports/claims-queries';
import { Claim, Tenant, TenantSettings } from '../../src/models';
import { down, up } from '../../src/models/migrations/0069-claim-deadline-days';
import { DAY_MS, HOUR_MS } from '../../src/shared/time';
import { buildClaim, buildTenant } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';

const ago = (ms: number) => new Date(Date.now() - ms);

describe('open claims per deadline stage and day, and the breach count', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;
  let tenant: Tenant;
  let patient: Tenant;

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
    [tenant, patient] = [await buildTenant(), await buildTenant()];
    // Reported claims of this tenant are late after 100 hours instead of the default 24.
    await TenantSettings.upsert({ tenantId: patient.id, values: { claimUnassignedEscalationHours: 100 } });
  });
  afterAll(() => db?.close());

  /** The breaches counted one claim at a time, each tenant's hours applied: what the kept days must answer. */
  const breachesOneByOne = async (tenantId: string) => {
    const [{ count }] = await sequelize.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM claims c
         LEFT JOIN tenant_settings s ON s.tenant_id = c.tenant_id
         CROSS JOIN LATERAL (SELECT CASE c.status
           WHEN 'reported' THEN coalesce((s."values" ->> 'claimUnassignedEscalationHours')::numeric, 24)
           WHEN 'documents_requested' THEN 24 * coalesce((s."values" ->> 'claimDocumentsEscalationDays')::numeric, 14)
           WHEN 'waiting_approval' THEN coalesce((s."values" ->> 'claimWaitingApprovalEscalationHours')::numeric, 48) END AS hours) d
        WHERE c.tenant_id = :tenantId AND d.hours IS NOT NULL AND c.stage_entered_at < now() - d.hours * interval '1 hour'
          AND coalesce(c.escalation_due_at, c.stage_entered_at + d.hours * interval '1 hour') < now()`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
    return count;
  };
  const keptDays = (tenantId: string) =>
    sequelize.query<{ stage: string; day: string; count: number }>(
      `SELECT stage, entered_on::text AS day, count FROM claim_deadline_days WHERE tenant_id = :tenantId AND count <> 0 ORDER BY 1, 2`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
  const groupedDays = (tenantId: string) =>
    sequelize.query<{ stage: string; day: string; count: number }>(
      `SELECT status AS stage, (stage_entered_at AT TIME ZONE 'UTC')::date::text AS day, count(*)::int AS count FROM claims
        WHERE tenant_id = :tenantId AND status IN ('reported', 'documents_requested', 'waiting_approval') AND stage_entered_at IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1, 2`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
  const expectExact = async (tenantId: string, breaches: number) => {
    expect(await keptDays(tenantId)).toEqual(await groupedDays(tenantId));
    expect(await breachesOneByOne(tenantId)).toBe(breaches);
    expect((await slaBreachCounts(sequelize, [tenantId])).get(tenantId) ?? 0).toBe(breaches);
  };
  /** A claim in `status` since `enteredAt`, with a due instant in business time if given. */
  async function claimIn(tenantId: string, status: ClaimStage, enteredAt: Date, escalationDueAt: Date | null = null) {
    const claim = await buildClaim({ tenantId, filedAt: enteredAt });
    await Claim.update({ status, escalationDueAt }, { where: { id: claim.id } });
    return claim;
  }
  /** Writes columns of a claim as its run's activities and triggers would (stage_entered_at is not on the model). */
  const set = (claim: Claim, fields: Partial<{ status: ClaimStage; stage_entered_at: Date; escalation_due_at: Date }>) =>
    sequelize.query(
      `UPDATE claims SET ${Object.keys(fields)
        .map((column) => `${column} = :${column}`)
        .join(', ')} WHERE id = :id`,
      {
        replacements: { ...fields, id: claim.id },
      },
    );

  it('counts each tenant’s late open claims exactly as they are filed, move, fall due and go', async () => {
    await expectExact(tenant.id, 0);
    const lateWholeDay = await claimIn(tenant.id, 'reported', ago(3 * DAY_MS));
    await claimIn(tenant.id, 'reported', ago(23 * HOUR_MS)); // within its 24 hours
    await claimIn(tenant.id, 'reported', ago(25 * HOUR_MS)); // late, on the day the deadline falls in or the one before
    const businessToCome = await claimIn(tenant.id, 'waiting_approval', ago(5 * DAY_MS), new Date(Date.now() + 2 * HOUR_MS));
    const businessPast = await claimIn(tenant.id, 'waiting_approval', ago(5 * DAY_MS), ago(HOUR_MS));
    await claimIn(tenant.id, 'documents_requested', ago(20 * DAY_MS));
    await claimIn(tenant.id, 'documents_requested', ago(2 * DAY_MS));
    const assigned = await claimIn(tenant.id, 'assigned', ago(10 * DAY_MS));
    await claimIn(tenant.id, 'closed', ago(30 * DAY_MS));
    await expectExact(tenant.id, 4);

    await set(lateWholeDay, { status: 'assigned' }); // no deadline in its new stage
    await set(assigned, { status: 'reported', stage_entered_at: ago(4 * DAY_MS) }); // back, entered four days ago
    await set(businessToCome, { escalation_due_at: ago(2 * HOUR_MS) }); // its business due instant recomputed: now past
    await expectExact(tenant.id, 5);
    await set(businessToCome, { escalation_due_at: new Date(Date.now() + DAY_MS) }); // and to come again
    await expectExact(tenant.id, 4);

    await set(businessPast, { status: 'closed' });
    await sequelize.query('DELETE FROM claims WHERE id = :id', { replacements: { id: businessPast.id } });
    await expectExact(tenant.id, 3);
  });

  it('applies the tenant’s own hours when it reads, over the same kept days', async () => {
    await claimIn(patient.id, 'reported', ago(3 * DAY_MS)); // 72 hours: not late after 100
    await claimIn(patient.id, 'reported', ago(5 * DAY_MS));
    await expectExact(patient.id, 1);
    await TenantSettings.upsert({ tenantId: patient.id, values: { claimUnassignedEscalationHours: 48 } });
    await expectExact(patient.id, 2);
    const counts = await slaBreachCounts(sequelize, [tenant.id, patient.id]);
    expect(Object.fromEntries(counts)).toEqual({ [tenant.id]: 3, [patient.id]: 2 });
  });

  it('is filled by the migration from the claims written before it', async () => {
    const before = await buildTenant();
    const queryInterface = sequelize.getQueryInterface();
    await down(queryInterface);
    await claimIn(before.id, 'reported', ago(3 * DAY_MS));
    await claimIn(before.id, 'waiting_approval', ago(6 * DAY_MS), new Date(Date.now() + HOUR_MS));

    await up(queryInterface);

    await expectExact(before.id, 1);
    await expectExact(tenant.id, 3);
  });
});
