/**
 * The writes of the claim process: filing a claim starts its run through the outbox; assigning and
 * moving it are decisions the run's Update validators accept or refuse (403/409/422) before
 * anything changes; notes and documents are added beside the run, a document waking a claim that
 * waits for it (their later upkeep is in notes.ts and documents.ts).
 */
import crypto from 'node:crypto';
import type { UpdateDefinition } from '@temporalio/common';
import type { Transaction } from 'sequelize';
import { actorOf, type Actor } from '../../contracts/actor';
import {
  AssignmentRequest,
  assignClaimUpdate,
  claimRun,
  ClaimUpdateResult,
  ClaimWorkflow,
  ClaimWorkflowInput,
  DocumentKind,
  DocumentUploaded,
  documentUploadedSignal,
  TransitionRequest,
  transitionClaimUpdate,
} from '../../contracts/claim';
import { Claim, ClaimDocument, ClaimHistory, ClaimNote, OutboxMessage, Subscription } from '../../models';
import { claimAccess } from '../../access/claims';
import { findVisible, tenantOf } from '../../access/core';
import { subscriptionAccess } from '../../access/subscriptions';
import { recordAudit } from '../audit/record';
import { documentKey } from '../../services/documents';
import { recordClaimFiledEvent } from './webhook-events';
import { assertPerson, type AuthUser } from '../../shared/caller';
import { idFromRequest } from '../../shared/deterministic-id';
import { dependencyUnavailable, policyholderErased, unprocessable } from '../../shared/errors';
import { claimAmountText, formatClaimAmount } from '../../shared/money';
import { HOUR_MS, utcDay } from '../../shared/time';
import { audited } from '../audited';
import { isErased, refuseErasedPerson } from '../privacy/erasure';
import { personLockedForShare } from '../privacy/holds';
import type { Command, CommandDeps } from '../command';
import { decideOnRun } from '../../services/run-decisions';
import { createWithRun } from '../runs';
import { looksLike, MAX_DOCUMENT_BYTES, sha256Of } from './document-content';
import { assertRoomForDocument } from './document-quota';
import { type Cover, coverOn } from './cover';
import { coverEndOf } from '../subscriptions/cover';
import { assertAmountIn, assertAmountInCurrency } from './money';
import { assertClaimOpen, assertMayDecide, assignmentRequest, claimSettingsOf, coverageRefusal, lapseRefusal, numberClaim } from './rules';

export interface FileClaimInput {
  subscriptionId: string;
  incidentDate: Date;
  description: string;
  amountClaimed: number;
}

/**
 * The cover that judges a claim on the subscription: the terms in force on its incident date, which a
 * later change leaves as they were. 422 when they do not cover it (cover never begun, period or cover ended, amount, a lapse).
 */
async function judgedCover(
  deps: CommandDeps,
  subscription: Subscription,
  incidentDate: string,
  amountClaimed: number,
  transaction?: Transaction,
): Promise<Cover> {
  const cover = await coverOn(subscription, incidentDate, transaction);
  const end = await coverEndOf(subscription, transaction);
  const refusal =
    coverageRefusal(subscription, cover, end, incidentDate, amountClaimed) ??
    (await lapseRefusal(deps.sequelize, subscription.id, incidentDate, transaction));
  if (refusal) throw unprocessable(refusal.summary, [{ field: refusal.field, message: refusal.message }]);
  return cover;
}

/**
 * Files a claim on a subscription the caller may see (a policyholder their own, an agent any of
 * the tenant's). The claim, its first history entry, its audit event and the start of its run
 * commit together (outbox): no run without a claim, no claim that never gets its run. An erased
 * policyholder's policy takes no new claim (409 `claimant_erased`): nobody could be told of it or paid.
 */
export const fileClaim: Command<FileClaimInput, Claim> = async (caller, input, deps) => {
  const tenantId = tenantOf(caller);
  const key = deps.idempotencyKey;
  const claimId = key ? idFromRequest('claim', caller.id, key, input.subscriptionId) : crypto.randomUUID();
  // A repeat of a filing whose answer was lost finds the claim it made.
  const filed = key ? await Claim.findOne({ where: { id: claimId, tenantId } }) : null;
  if (filed) return filed;
  const incidentDate = utcDay(input.incidentDate);
  const subscription = await findVisible(caller, subscriptionAccess, input.subscriptionId);
  // The claim's amounts are in its policy's currency: "4000.5" is no amount of yen.
  assertAmountInCurrency(input.amountClaimed, subscription.currency, 'amountClaimed');
  // Refused before a claim number is taken; judged again under the policy's lock below.
  await judgedCover(deps, subscription, incidentDate, input.amountClaimed);
  if (await isErased(tenantId, subscription.policyholderId)) throw policyholderErased();
  const settings = await claimSettingsOf(tenantId);
  const filedAt = new Date();
  const { claimNumber, workflowId } = await numberClaim(tenantId, filedAt);
  const runInput: ClaimWorkflowInput = {
    claimId,
    claimNumber,
    tenantId,
    claimantId: subscription.policyholderId,
    amountClaimed: input.amountClaimed,
    filedById: caller.id,
    filedAt: filedAt.toISOString(),
    settings,
  };
  return createWithRun<ClaimWorkflow, Claim>(deps, async (transaction) => {
    // Judged again under the person's lock, taken before the policy's as an erasure's steps take them.
    await refuseErasedPerson(tenantId, subscription.policyholderId, transaction, policyholderErased, personLockedForShare);
    // A policy change being applied holds this row until it commits (carryOutPolicyChange): the claim is then judged by,
    // and tied to, the version it made; a change applied after this commit finds the claim (docs/claims.md).
    const held = await Subscription.findByPk(subscription.id, { lock: transaction.LOCK.SHARE, transaction, rejectOnEmpty: true });
    const cover = await judgedCover(deps, held, incidentDate, input.amountClaimed, transaction);
    const claim = await Claim.create(
      {
        id: claimId,
        tenantId,
        claimNumber,
        subscriptionId: subscription.id,
        claimantId: subscription.policyholderId,
        filedById: caller.id,
        incidentDate,
        description: input.description,
        amountClaimed: claimAmountText(input.amountClaimed),
        workflowId,
        subscriptionVersionId: cover.version?.id ?? null,
      },
      { transaction },
    );
    await ClaimHistory.create(
      {
        tenantId,
        claimId,
        sequence: 0,
        actorId: caller.id,
        fromStatus: null,
        toStatus: 'reported',
        note: 'Claim filed',
        occurredAt: filedAt,
      },
      { transaction },
    );
    await recordAudit(
      deps.auditSource,
      { tenantId, action: 'claim.file', entityType: 'claim', entityId: claimId, after: claim },
      transaction,
    );
    await recordClaimFiledEvent(claim, filedAt, transaction);
    return {
      row: claim,
      start: {
        workflowType: claimRun.type,
        args: [runInput],
        tenantId,
        status: 'reported',
        summary: `Claim ${claimNumber}: ${formatClaimAmount(input.amountClaimed, subscription.currency ?? undefined)} on subscription ${subscription.id}`,
        dueAt: new Date(filedAt.getTime() + settings.claimUnassignedEscalationHours * HOUR_MS).toISOString(),
      },
    };
  });
};

/**
 * Hands a person's decision to the claim's run as an Update and answers with the claim as
 * recorded. `requestFor` makes the checks the run cannot (src/domain/claims/rules.ts); the run's
 * validator refuses an illegal or unauthorised decision before anything is written.
 */
async function decideOnClaim<Request>(
  caller: AuthUser,
  id: string,
  deps: CommandDeps,
  update: UpdateDefinition<ClaimUpdateResult, [Request]>,
  requestFor: (claim: Claim, actor: Actor) => Promise<Request>,
): Promise<Claim> {
  const claim = await findVisible(caller, claimAccess, id);
  const request = await requestFor(claim, actorOf(caller));
  // A claim's run ends only when the claim closes, which its rules refuse before this
  // (rules.ts): a claim without a run is open and its start still waits in the outbox for Temporal.
  const decided = await decideOnRun(deps, claim, claim.workflowId, update, request, () => dependencyUnavailable('temporal'));
  return decided.row;
}

/** Assigns or reassigns the claim to an active handler of its tenant (never the claimant). */
export const assignClaim: Command<{ id: string } & Omit<AssignmentRequest, 'actor' | 'assigneeRole'>, Claim> = (
  caller,
  { id, assigneeId, note },
  deps,
) => decideOnClaim(caller, id, deps, assignClaimUpdate, (claim, actor) => assignmentRequest(claim, actor, assigneeId, note));

/**
 * Moves the claim to its next stage, as the run's rules allow the caller. Approving or denying it is a
 * person's decision, never an API key's: a denial goes against the claimant (GDPR Art. 22), as an approval pays.
 * So is any move of a claim waiting for approval, sending it back to review too: that is the four-eyes
 * decision's other side (src/access/verbs/person-decisions.ts).
 */
export const transitionClaim: Command<{ id: string } & Omit<TransitionRequest, 'actor'>, Claim> = (caller, { id, ...move }, deps) =>
  decideOnClaim(caller, id, deps, transitionClaimUpdate, async (claim, actor) => {
    if (move.to === 'approved') assertPerson(caller, 'Approving a claim');
    if (move.to === 'denied') assertPerson(caller, 'Denying a claim');
    if (claim.status === 'waiting_approval') assertPerson(caller, 'Deciding on a claim that waits for approval');
    if (move.approvedAmount !== undefined) await assertAmountIn(claim, move.approvedAmount, 'approvedAmount');
    await assertMayDecide(claim, actor.id);
    return { actor, ...move };
  });

/** Adds an internal note to a claim the caller may see. */
export const addClaimNote: Command<{ id: string; body: string }, ClaimNote> = async (caller, { id, body }, deps) => {
  const claim = await findVisible(caller, claimAccess, id);
  return audited(
    deps,
    (transaction) => ClaimNote.create({ tenantId: claim.tenantId, claimId: claim.id, authorId: caller.id, body }, { transaction }),
    (note) => ({
      tenantId: claim.tenantId,
      action: 'claim.note_add',
      entityType: 'claim',
      entityId: claim.id,
      after: { noteId: note.id, body: note.body },
    }),
  );
};

export interface UploadDocumentInput {
  id: string;
  fileName: string;
  contentType: string;
  /** What the document shows; `other` unless the uploader says. */
  kind?: DocumentKind;
  /** The document's bytes, decoded from the transport's encoding. */
  bytes: Buffer;
}

/**
 * Stores a document of an open claim within the quotas, then records it with the signal that
 * wakes a claim waiting for documents. With an idempotency key a repeat answers with the document
 * the first request recorded, signalled once.
 */
export const uploadClaimDocument: Command<UploadDocumentInput, ClaimDocument> = async (caller, input, deps) => {
  const { fileName, contentType, kind, bytes } = input;
  const claim = await findVisible(caller, claimAccess, input.id);
  assertClaimOpen(claim);
  if (bytes.length === 0 || bytes.length > MAX_DOCUMENT_BYTES) {
    throw unprocessable(`A document must hold 1 byte to ${MAX_DOCUMENT_BYTES / 1024} KiB`, [
      { field: 'contentBase64', message: `decoded size is ${bytes.length} bytes` },
    ]);
  }
  if (!looksLike(contentType, bytes)) {
    throw unprocessable(`The content is not a ${contentType} file`, [
      { field: 'contentBase64', message: 'content does not match contentType' },
    ]);
  }
  const key = deps.idempotencyKey;
  const documentId = key ? idFromRequest('claim-document', caller.id, key, claim.id) : crypto.randomUUID();
  const recordedDocument = () => ClaimDocument.findOne({ where: { id: documentId, claimId: claim.id } });
  // A repeat of an upload whose answer was lost finds the document it stored, signalled once.
  const stored = key ? await recordedDocument() : null;
  if (stored) return stored;
  await assertRoomForDocument(deps.config.documentQuota, claim, bytes.length);
  const storageKey = documentKey(claim.tenantId, documentId);
  const sha256 = sha256Of(bytes);
  // Stored before the row exists: a row never points at bytes that are not there.
  await deps.documents.write(storageKey, { bytes, contentType, sha256 });
  const uploaded: DocumentUploaded = { documentId, fileName, uploadedById: caller.id };
  let document: ClaimDocument;
  let signal: OutboxMessage;
  try {
    // The document and the signal that wakes a claim waiting for it commit together; the
    // workflow, not this (possibly stale) row, decides whether the claim was waiting.
    [document, signal] = await deps.sequelize.transaction(async (transaction) => {
      await assertRoomForDocument(deps.config.documentQuota, claim, bytes.length, transaction);
      const created = await ClaimDocument.create(
        {
          id: documentId,
          tenantId: claim.tenantId,
          claimId: claim.id,
          uploadedById: caller.id,
          fileName,
          contentType,
          sizeBytes: bytes.length,
          sha256,
          storageKey,
          kind,
        },
        { transaction },
      );
      const message = await deps.outbox.enqueueSignal(
        claim.workflowId,
        { signalName: documentUploadedSignal.name, args: [uploaded] },
        transaction,
      );
      const after = { documentId, fileName, contentType, sizeBytes: bytes.length, kind: created.kind };
      await recordAudit(
        deps.auditSource,
        { tenantId: claim.tenantId, action: 'claim.document_upload', entityType: 'claim', entityId: claim.id, after },
        transaction,
      );
      return [created, message] as const;
    });
  } catch (err) {
    if (key) {
      // A repeat that raced the request it repeats (same key, so the same bytes under the same
      // storage key): if that one recorded the document, it is the answer and its bytes stay.
      const recorded = await recordedDocument();
      if (recorded) return recorded;
    }
    // The row's failure is the answer; bytes left behind by a failed removal are never served.
    await deps.documents
      .remove(storageKey)
      .catch((removeErr: unknown) =>
        deps.logger.warn({ err: removeErr, storageKey }, 'could not remove the bytes of a document that was not recorded'),
      );
    throw err;
  }
  // Kept either way: if Temporal does not take the signal now, the outbox relay delivers it.
  await deps.outbox.deliver(signal);
  return document;
};
