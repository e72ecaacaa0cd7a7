/**
 * The webhook events of a claim's life and money (docs/webhooks.md, Event types): filed, a reserve
 * line set, a payment's every status, a recovery. Their amounts are written as the API writes them,
 * with the decimals of the claim's currency ("500.50" EUR, "12000" JPY), the rows' numeric strings
 * and a run's numbers alike. Each recorder is called in the transaction that
 * records the change, so the event goes out exactly when the change commits; its dedupe key names
 * the change, so a retried activity or a repeated request records it once.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { PaymentStatus } from '../../contracts/claim-payments';
import type { ReserveChange } from '../../contracts/claim-reserves';
import { Claim, type ClaimRecovery } from '../../models';
import { formatClaimAmount } from '../../shared/money';
import { recordWebhookEvent, recordWebhookEvents, type WebhookEventRecord, type WebhookEventType } from '../webhooks/events';

interface ClaimContext {
  claimId: string;
  tenantId: string;
  claimNumber: string;
  policyNumber: string | null;
  currency: string;
}

/** What every claim event names beside its own fields: each claim's number, its policy and its policy's currency. */
async function claimContextsOf(claimIds: string[], transaction: Transaction): Promise<Map<string, ClaimContext>> {
  const contexts = await Claim.sequelize!.query<ClaimContext>(
    `SELECT c.id AS "claimId", c.tenant_id AS "tenantId", c.claim_number AS "claimNumber", s.policy_number AS "policyNumber",
            s.currency
       FROM claims c JOIN subscriptions s ON s.id = c.subscription_id
      WHERE c.id IN (:claimIds)`,
    { replacements: { claimIds: [...new Set(claimIds)] }, transaction, type: QueryTypes.SELECT },
  );
  return new Map(contexts.map((context) => [context.claimId, context]));
}

async function claimContextOf(claimId: string, transaction: Transaction): Promise<ClaimContext> {
  const context = (await claimContextsOf([claimId], transaction)).get(claimId);
  if (!context) throw new Error(`claim ${claimId} not found for its event`);
  return context;
}

function claimEvent(context: ClaimContext, type: WebhookEventType, data: Record<string, unknown>, dedupeKey: string): WebhookEventRecord {
  return {
    tenantId: context.tenantId,
    type,
    subject: `claims/${context.claimId}`,
    data: { claimId: context.claimId, claimNumber: context.claimNumber, ...data, currency: context.currency },
    time: new Date(),
    dedupeKey,
  };
}

/** `claim.stage_changed`: the claim moved from one stage to another, its history entry `sequence`. */
export function recordStageChangedEvent(
  claim: { id: string; tenantId: string; claimNumber: string },
  move: { from: string | null; to: string; sequence: number; actorId: string | null; at: string },
  transaction: Transaction,
): Promise<void> {
  return recordWebhookEvent(
    {
      tenantId: claim.tenantId,
      type: 'claim.stage_changed',
      subject: `claims/${claim.id}`,
      data: { claimId: claim.id, claimNumber: claim.claimNumber, ...move },
      time: new Date(move.at),
      dedupeKey: `claim:${claim.id}:transition:${move.sequence}`,
    },
    transaction,
  );
}

/** One event of a claim, its fields read with the claim's context (its policy, its currency). */
async function recordClaimEvent(
  claimId: string,
  type: WebhookEventType,
  dataOf: (context: ClaimContext) => Record<string, unknown>,
  dedupeKey: string,
  transaction: Transaction,
): Promise<void> {
  const context = await claimContextOf(claimId, transaction);
  await recordWebhookEvent(claimEvent(context, type, dataOf(context), dedupeKey), transaction);
}

/** `claim.filed`, with the claim's row as it was created. */
export function recordClaimFiledEvent(claim: Claim, filedAt: Date, transaction: Transaction): Promise<void> {
  return recordClaimEvent(
    claim.id,
    'claim.filed',
    ({ policyNumber, currency }) => ({
      subscriptionId: claim.subscriptionId,
      policyNumber,
      claimantId: claim.claimantId,
      filedById: claim.filedById,
      incidentDate: claim.incidentDate,
      amountClaimed: formatClaimAmount(claim.amountClaimed, currency),
      filedAt: filedAt.toISOString(),
    }),
    `claim:${claim.id}:filed`,
    transaction,
  );
}

/** `claim.reserve_changed` for each change that set its line (the caller leaves out the ones waiting or refused). */
export async function recordReserveChangeEvents(claimId: string, changes: ReserveChange[], transaction: Transaction): Promise<void> {
  if (changes.length === 0) return;
  const context = await claimContextOf(claimId, transaction);
  const events = changes.map((change) =>
    claimEvent(
      context,
      'claim.reserve_changed',
      {
        changeId: change.id,
        costType: change.costType,
        category: change.category,
        status: change.status,
        amountBefore: formatClaimAmount(change.amountBefore, context.currency),
        amount: formatClaimAmount(change.amount, context.currency),
        requestedById: change.requestedById,
        decidedById: change.decidedById,
      },
      `claim-reserve-change:${change.id}:${change.status}`,
    ),
  );
  await recordWebhookEvents(events, transaction);
}

interface PaymentRow {
  id: string;
  claim_id: string;
  reference: string;
  kind: 'partial' | 'settlement';
  amount: string;
  cost_type: string;
  category: string;
  payee_kind: string | null;
  batch_id: string | null;
  failure_reason: string | null;
}

/**
 * `claim.payment_<status>` for each payment, as its row stands in the transaction that moved it
 * there; `actorId` is who moved it (null: the run or the system). Several statuses (a payment
 * approved as it is asked for was requested too) read the rows once, their events in that order.
 */
export async function recordPaymentEvents(
  paymentIds: string[],
  reached: PaymentStatus | readonly PaymentStatus[],
  actorId: string | null,
  transaction: Transaction,
): Promise<void> {
  if (paymentIds.length === 0) return;
  const rows = await Claim.sequelize!.query<PaymentRow>(
    `SELECT id, claim_id, reference, kind, amount, cost_type, category, payee_kind, batch_id, failure_reason
       FROM payments WHERE id IN (:paymentIds) ORDER BY claim_id, reference`,
    { replacements: { paymentIds }, transaction, type: QueryTypes.SELECT },
  );
  const contexts = await claimContextsOf(
    rows.map((row) => row.claim_id),
    transaction,
  );
  const statuses: readonly PaymentStatus[] = typeof reached === 'string' ? [reached] : reached;
  const events = statuses.flatMap((status) =>
    rows.map((row) =>
      claimEvent(
        contexts.get(row.claim_id)!,
        `claim.payment_${status}`,
        {
          paymentId: row.id,
          reference: row.reference,
          kind: row.kind,
          amount: formatClaimAmount(row.amount, contexts.get(row.claim_id)!.currency),
          costType: row.cost_type,
          category: row.category,
          payeeKind: row.payee_kind,
          batchId: row.batch_id,
          failureReason: row.failure_reason,
          actorId,
        },
        `claim-payment:${row.id}:${status}`,
      ),
    ),
  );
  await recordWebhookEvents(events, transaction);
}

/** `claim.recovery_recorded`, with the recovery's row as it was created. */
export function recordRecoveryEvent(recovery: ClaimRecovery, transaction: Transaction): Promise<void> {
  return recordClaimEvent(
    recovery.claimId,
    'claim.recovery_recorded',
    ({ currency }) => ({
      recoveryId: recovery.id,
      kind: recovery.kind,
      amount: formatClaimAmount(recovery.amount, currency),
      receivedOn: recovery.receivedOn,
      reference: recovery.reference,
      recordedById: recovery.recordedById,
    }),
    `claim-recovery:${recovery.id}:recorded`,
    transaction,
  );
}
