import { modelOf, required, optional, uuidKey, tenantColumn, timestampColumns } from './columns';

/** What a recovery is: the insurer recovered from a third party, sold the salvage, or the policyholder's deductible. */
export const RECOVERY_KINDS = ['subrogation', 'salvage', 'deductible'] as const;
export type RecoveryKind = (typeof RECOVERY_KINDS)[number];

const claimRecoveryColumns = () => ({
  id: uuidKey(),
  ...tenantColumn(),
  claimId: required.uuid(),
  kind: required.string<RecoveryKind>(20),
  amount: required.amount(),
  receivedOn: required.dateOnly(),
  reference: optional.string(100),
  recordedById: required.uuid(),
  ...timestampColumns(),
});

/** Money received back on a claim (docs/claim-money.md, Recoveries): it lowers what the claim has cost. */
export class ClaimRecovery extends modelOf('claim_recoveries', claimRecoveryColumns) {
  /** What the API shows: the recovery without its tenant. */
  override toJSON(): object {
    const { id, claimId, kind, amount, receivedOn, reference, recordedById, createdAt } = this;
    return { id, claimId, kind, amount, receivedOn, reference, recordedById, createdAt };
  }
}
