import { QueryTypes, Transaction } from 'sequelize';
import { modelOf, required, optional, tenantRowColumns } from './columns';
import type { ClaimStage } from '../contracts/claim';

const claimColumns = () =>
  tenantRowColumns({
    claimNumber: required.string(30),
    subscriptionId: required.uuid(),
    claimantId: required.uuid(),
    filedById: required.uuid(),
    incidentDate: required.dateOnly(),
    description: required.text(),
    amountClaimed: required.amount(),
    amountApproved: optional.amount(),
    status: required.string<ClaimStage>(30, { defaultValue: 'reported' }),
    assigneeId: optional.uuid(),
    denialReason: optional.string(200),
    workflowId: required.string(200),
    runId: optional.string(64),
    /** When the current stage's escalation falls due in business time, as its run computed it; null in calendar time (migration 0053). */
    escalationDueAt: optional.date(),
    /** The policy version in force on the incident date, which judged the claim's cover when it was filed; null for claims filed before versions (migration 0075). */
    subscriptionVersionId: optional.uuid(),
  });

/**
 * A claim filed against a subscription. The API creates it in `reported`; from then on only the
 * activities of its workflow (`claimRun.id` in src/contracts/claim.ts) change status, assignee
 * and approved amount.
 * Money columns are numeric with their amounts' own decimals, at most three (migration 0115), read back as strings.
 */
export class Claim extends modelOf('claims', claimColumns) {
  /**
   * The next claim number of the tenant for the year, e.g. CLM-2026-000123. One atomic upsert on
   * a per-tenant counter row, so concurrent filings never get the same number.
   */
  static async nextClaimNumber(tenantId: string, year: number, transaction?: Transaction): Promise<string> {
    const [row] = await Claim.sequelize!.query<{ last_value: number }>(
      `INSERT INTO claim_number_counters (tenant_id, year, last_value) VALUES (:tenantId, :year, 1)
       ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = claim_number_counters.last_value + 1
       RETURNING last_value`,
      { replacements: { tenantId, year }, type: QueryTypes.SELECT, transaction },
    );
    return `CLM-${year}-${String(row.last_value).padStart(6, '0')}`;
  }
}
