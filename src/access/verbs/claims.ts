/**
 * Who may do what with claims, by role: each verb is one action (a route, a mutation, a
 * validator's decision). Pure, so the claim's workflow validators load it too; which rows a
 * caller sees and may act on stays with the access rule (src/access/claims.ts).
 */
import { ASSIGNER_ROLES, HANDLER_ROLES } from '../../contracts/claim';
import { type Role, STAFF_ROLES, TENANT_ROLES } from '../../shared/roles';

const CLAIMS_MANAGERS: readonly Role[] = ['claims_manager'];

export const CLAIM_VERBS = {
  /** A page of claims (their own for a policyholder), one claim, a policy's claims. */
  listClaims: TENANT_ROLES,
  viewClaim: TENANT_ROLES,
  /** See every claim of the tenant, not only one's own. */
  viewEveryClaim: STAFF_ROLES,
  /** The claims assigned to one wait in one's inbox (docs/inbox.md): any staff member's (a role may have changed since). */
  seeAssignedClaimTasks: STAFF_ROLES,
  /** See the people beside a claim or a policy (who filed, who handles): the staff their tenant's users, anyone else only themselves. */
  seeTenantPeople: STAFF_ROLES,
  /** Reserves are the insurer's estimate: its staff see a claim's figures, the claimant does not. */
  viewClaimFinancials: STAFF_ROLES,
  fileClaim: ['policyholder', 'claims_agent'],
  assignClaim: ASSIGNER_ROLES,
  reopenClaim: ASSIGNER_ROLES,
  transitionClaim: HANDLER_ROLES,
  /** Internal notes are the staff's alone; who edits or withdraws one is the note's rule. */
  listClaimNotes: STAFF_ROLES,
  addClaimNote: STAFF_ROLES,
  editClaimNote: STAFF_ROLES,
  withdrawClaimNote: STAFF_ROLES,
  /** Withdraw someone else's note or document (its author may withdraw their own). */
  withdrawAnyClaimItem: CLAIMS_MANAGERS,
  /** See what was withdrawn from a claim: the record keepers. */
  viewWithdrawnClaimItems: ['tenant_admin'],
  /** A claim's documents: its staff and its claimant; who withdraws one is the document's rule. */
  listClaimDocuments: TENANT_ROLES,
  uploadClaimDocument: TENANT_ROLES,
  downloadClaimDocument: TENANT_ROLES,
  classifyClaimDocument: TENANT_ROLES,
  withdrawClaimDocument: TENANT_ROLES,
  /** Set any document's kind (its uploader sets their own). */
  classifyAnyClaimDocument: STAFF_ROLES,
  /** A claim's money (docs/claim-money.md): the amounts and authority are the run's validators'. */
  viewClaimMoney: STAFF_ROLES,
  changeReserve: HANDLER_ROLES,
  decideReserveChange: HANDLER_ROLES,
  requestPayment: HANDLER_ROLES,
  approvePayment: HANDLER_ROLES,
  voidPayment: HANDLER_ROLES,
  settlePayment: CLAIMS_MANAGERS,
  issueCardRefund: CLAIMS_MANAGERS,
  recordRecovery: HANDLER_ROLES,
  /** Record a recovery on a claim assigned to someone else. */
  recordRecoveryOnAnyClaim: CLAIMS_MANAGERS,
  /** Payment batches: the approved claim payments issued as one bank file (docs/claim-money.md). */
  listPaymentBatches: CLAIMS_MANAGERS,
  issuePaymentBatch: CLAIMS_MANAGERS,
  viewPaymentBatch: CLAIMS_MANAGERS,
  downloadPaymentBatchFile: CLAIMS_MANAGERS,
} as const satisfies Record<string, readonly Role[]>;
