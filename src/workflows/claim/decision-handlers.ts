/**
 * A person's decisions on the claim as the run carries them out: the assignment and the moves
 * (each checked first by its rule, assignment.ts and transitions.ts, in the update's validator),
 * the approval written before the run moves, and a claimant's document arriving.
 */
import { ActivityFailure, ApplicationFailure, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { assignClaimUpdate, documentUploadedSignal, transitionClaimUpdate, type TransitionRequest } from '../../contracts/claim';
import { MAX_DOCUMENTS_PER_CLAIM } from '../../shared/document-budget';
import { checkAssignment } from './assignment';
import { reserveAmountClaimed } from './ledger';
import { claimMessages } from './messages';
import { type ClaimRun, claimFacts, email, enter, move, nextEntry, STEP_RETRY, summary, toClaimant } from './run';
import { checkTransition } from './transitions';

const { recordClaimApproval } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: STEP_RETRY });

/**
 * Runs that record this marker take each document once, by its ID: the outbox delivers a signal
 * again when recording its delivery failed, and such a repeat arriving after documents were
 * requested anew passed for the document asked for. A document past MAX_DOCUMENTS_PER_CLAIM,
 * which the API's quota never lets through, is ignored too.
 */
const DOCUMENTS_TAKEN_ONCE = 'documents-taken-once';

/**
 * Runs that record this marker write an approval, checked against the subscription's coverage,
 * before the run moves (`approve`); histories that approved before it replay the approval as any
 * other move.
 */
const APPROVAL_CHECKS_COVERAGE = 'approval-checks-coverage';
/** Runs that record this marker reserve the amount claimed as the claim is first assigned (docs/claim-money.md). */
const RESERVE_AT_ASSIGNMENT = 'reserve-at-assignment';

/**
 * Approves the claim only once the database has accepted it: the activity checks the approvals
 * on the subscription against its coverage in the transaction that records this one, and a
 * refusal leaves the run exactly as it was (the update fails with the activity's reason).
 */
async function approve(run: ClaimRun, request: TransitionRequest): Promise<void> {
  run.approving = true;
  try {
    const approved = request.approvedAmount ?? run.input.amountClaimed;
    const entry = nextEntry(run, 'approved', request.actor.id, request.note ?? null);
    await run.recording;
    try {
      await recordClaimApproval({
        claimId: run.input.claimId,
        tenantId: run.input.tenantId,
        ...entry,
        assigneeId: run.assigneeId,
        amountApproved: approved,
        denialReason: run.denialReason,
      });
    } catch (err) {
      throw err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
    }
    run.amountApproved = approved;
    enter(run, entry);
  } finally {
    run.approving = false;
  }
}

export function setDecisionHandlers(run: ClaimRun): void {
  const { claimNumber } = run.input;

  setHandler(
    assignClaimUpdate,
    async (request) => {
      const firstAssignment = run.stage === 'reported';
      run.assigneeId = request.assigneeId;
      run.pastAssigneeIds.add(request.assigneeId);
      if (request.assigneeId === request.actor.id) run.selfAssignedBy.add(request.actor.id);
      run.assignmentCount += 1;
      const note = request.note ?? (firstAssignment ? 'Claim assigned' : 'Claim reassigned');
      const entry = await move(run, firstAssignment ? 'assigned' : run.stage, request.actor.id, note);
      email(run, entry, { userIds: [request.assigneeId] }, claimMessages.assigned(claimNumber, run.stage));
      if (firstAssignment && run.reserves.length === 0 && patched(RESERVE_AT_ASSIGNMENT)) await reserveAmountClaimed(run, entry);
      return summary(run);
    },
    { validator: (request) => checkAssignment(claimFacts(run), request) },
  );

  setHandler(
    transitionClaimUpdate,
    async (request) => {
      if (request.to === 'approved' && patched(APPROVAL_CHECKS_COVERAGE)) {
        await approve(run, request);
        return summary(run);
      }
      if (request.to === 'approved') run.amountApproved = request.approvedAmount ?? run.input.amountClaimed;
      if (request.to === 'denied') run.denialReason = request.reason ?? null;
      const entry = await move(run, request.to, request.actor.id, request.note ?? request.reason ?? null);
      if (request.to === 'documents_requested') {
        email(run, entry, toClaimant(run), claimMessages.documentsRequested(claimNumber, request.note));
      }
      return summary(run);
    },
    { validator: (request) => checkTransition(claimFacts(run), request) },
  );

  setHandler(documentUploadedSignal, async (upload) => {
    const known = run.documentIds.has(upload.documentId);
    const full = run.documentIds.size >= MAX_DOCUMENTS_PER_CLAIM;
    if ((known || full) && patched(DOCUMENTS_TAKEN_ONCE)) return;
    if (!full) run.documentIds.add(upload.documentId);
    // Only an upload the claim is waiting for moves it; later ones are just kept with the claim.
    if (run.stage !== 'documents_requested') return;
    const entry = await move(run, 'under_review', upload.uploadedById, `Documents received: ${upload.fileName}`);
    if (run.assigneeId) {
      email(run, entry, { userIds: [run.assigneeId] }, claimMessages.documentsReceived(claimNumber, upload.fileName));
    }
  });
}
