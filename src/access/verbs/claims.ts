/**
 * Who may do what with claims, by role: each verb is one action (a route, a mutation, a
 * validator's decision). Pure, so the claim's workflow validators load it too; which rows a
 * caller sees and may act on stays with the access rule (src/access/claims.ts).
 */
import { type Role, STAFF_ROLES, TENANT_ROLES } from '../../shared/roles';

/** The roles that work claims: they may be assigned one and move it. */
const HANDLERS: readonly Role[] = ['adjuster', 'senior_adjuster', 'claims_manager'];
/** The roles that hand claims out, and work any claim of the tenant (an adjuster works those assigned to them). */
const ASSIGNERS: readonly Role[] = ['senior_adjuster', 'claims_manager'];
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
  assignClaim: ASSIGNERS,
  reopenClaim: ASSIGNERS,
  transitionClaim: HANDLERS,
  /** Be assigned a claim to handle. */
  beAssignedClaims: HANDLERS,
  /** Move a claim, or work its money, when it is assigned to someone else. */
  workAnyClaim: ASSIGNERS,
  /** Mailed a claim's escalations. */
  hearOfClaimEscalations: CLAIMS_MANAGERS,
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
  changeReserve: HANDLERS,
  decideReserveChange: HANDLERS,
  requestPayment: HANDLERS,
  approvePayment: HANDLERS,
  voidPayment: HANDLERS,
  /** Work a claim's reserves and payments at all (the run's validators; the amounts are the authority rule's). */
  workClaimMoney: HANDLERS,
  /** Approve a payment that takes the claim's payments beyond the amount claimed. */
  approveBeyondClaimed: CLAIMS_MANAGERS,
  settlePayment: CLAIMS_MANAGERS,
  issueCardRefund: CLAIMS_MANAGERS,
  recordRecovery: HANDLERS,
  /** Record a recovery on a claim assigned to someone else. */
  recordRecoveryOnAnyClaim: CLAIMS_MANAGERS,
  /** Payment batches: the approved claim payments issued as one bank file (docs/claim-money.md). */
  listPaymentBatches: CLAIMS_MANAGERS,
  issuePaymentBatch: CLAIMS_MANAGERS,
  viewPaymentBatch: CLAIMS_MANAGERS,
  downloadPaymentBatchFile: CLAIMS_MANAGERS,
} as const satisfies Record<string, readonly Role[]>;
