/**
 * One claim run's state and its history (claim.ts is the state machine that moves it): where the
 * claim stands, its reserves and payments, the facts its rules judge a request by, and the moves
 * and e-mails written by activities in order. The handlers (decision-handlers.ts,
 * money-handlers.ts, stay.ts) receive the run and change it; nothing here is shared between runs.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type {
  ClaimDeadline,
  ClaimHistoryEntry,
  ClaimStage,
  ClaimState,
  ClaimUpdateResult,
  ClaimWorkflowInput,
} from '../../contracts/claim';
import { type ClaimPayment, HOLDING_STATUSES, UNDECIDED_STATUSES } from '../../contracts/claim-payments';
import type { ReserveChange, ReserveLine } from '../../contracts/claim-reserves';
import { rolesOf } from '../../access/verbs';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../../shared/notification-timing';
import { publishStatus } from '../support/business-status';
import { type ClaimArithmetic, EXACT } from './arithmetic';
import type { StageDeadline } from './deadlines';
import type { ClaimFacts } from './facts';
import type { ClaimMessage } from './messages';

export const STEP_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const { recordClaimTransition } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: STEP_RETRY });
// Longer than the slowest delivery the configuration allows (src/shared/notification-timing.ts).
const { sendEmail } = proxyActivities<Activities>({ startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS, retry: STEP_RETRY });

/** Who is mailed a claim's escalations (src/access/verbs/claims.ts). */
const CLAIMS_MANAGERS = [...rolesOf('hearOfClaimEscalations')];

/**
 * The current stay's deadlines: when each falls due (epoch ms) and which is next. A calendar
 * change replaces `dueTimes` (the rescheduleDeadlines Update); `next` only grows, so a deadline
 * that fell due is never undone.
 */
export interface Stay {
  entry: ClaimHistoryEntry;
  deadlines: StageDeadline[];
  dueTimes: number[];
  next: number;
  /** Calendar changes whose new due times an activity is computing (the rescheduleDeadlines Update). */
  reschedulesInFlight: number;
}

export interface ClaimRun {
  readonly input: ClaimWorkflowInput;
  readonly workflowId: string;
  stage: ClaimStage;
  assigneeId: string | null;
  amountApproved: number | null;
  denialReason: string | null;
  paymentReference: string | null;
  nextDeadline: ClaimDeadline | null;
  readonly pastAssigneeIds: Set<string>;
  readonly documentIds: Set<string>;
  readonly selfAssignedBy: Set<string>;
  /** The claim's money. A restored run goes on with the lines and payments as recorded; a reopened one restores its lines. */
  readonly reserves: ReserveLine[];
  readonly reserveChanges: ReserveChange[];
  /** Each holds its amount off its reserve line until voided or failed. */
  readonly payments: ClaimPayment[];
  /** Set while a change of the claim's money is recorded: validators refuse the next meanwhile. */
  recordingMoney: boolean;
  /** Payments of earlier runs this run does not hold: its references go on after them. */
  readonly earlierPayments: number;
  /** Set while an approval is being recorded: validators refuse every other decision meanwhile. */
  approving: boolean;
  assignmentCount: number;
  readonly history: ClaimHistoryEntry[];
  /** The history entry that entered the current stage: its sequence tells one stay from the next. */
  stageEntry: ClaimHistoryEntry;
  /** Transitions are written one after the other, so the claim row always ends at the latest. */
  recording: Promise<void>;
  /** E-mails sent in the background: the run ends only after all are sent. */
  readonly outbox: Promise<unknown>[];
  stay: Stay | null;
}

/** The run as it starts: a run that takes over from an ended one starts where the API left the claim. */
export function startRun(input: ClaimWorkflowInput): ClaimRun {
  const { resumption } = input;
  const entry = resumption?.entry ?? {
    sequence: 0,
    from: null,
    to: 'reported',
    actorId: input.filedById,
    note: 'Claim filed',
    at: input.filedAt,
  };
  return {
    input,
    workflowId: workflowInfo().workflowId,
    stage: resumption ? resumption.entry.to : 'reported',
    assigneeId: resumption?.assigneeId ?? null,
    amountApproved: resumption?.amountApproved ?? null,
    denialReason: resumption?.denialReason ?? null,
    paymentReference: null,
    nextDeadline: null,
    pastAssigneeIds: new Set<string>(resumption?.assigneeId ? [resumption.assigneeId] : []),
    documentIds: new Set<string>(),
    selfAssignedBy: new Set<string>(),
    reserves: resumption?.kind === 'restored' ? resumption.reserves.map((line) => ({ ...line })) : [],
    reserveChanges: [],
    payments: (resumption?.payments ?? []).map((payment) => ({ ...payment })),
    recordingMoney: false,
    earlierPayments: (resumption?.paymentCount ?? 0) - (resumption?.payments.length ?? 0),
    approving: false,
    assignmentCount: 0,
    history: [entry],
    stageEntry: entry,
    recording: Promise.resolve(),
    outbox: [],
    stay: null,
  };
}

/** Whether closing has any money to settle: reserves, their changes or payments. */
export const holdsMoney = (run: ClaimRun) => run.reserveChanges.length > 0 || run.reserves.length > 0 || run.payments.length > 0;

/** What the claim's payments hold, and what an earlier run paid: an approval pays the rest. */
export const amountPaidOrHeld = (run: ClaimRun, money: ClaimArithmetic) =>
  money.sum([
    run.input.resumption?.amountPaid ?? 0,
    ...run.payments.filter((payment) => HOLDING_STATUSES.includes(payment.status)).map((payment) => payment.amount),
  ]);

/** What the claim's rules (facts.ts) judge a request by. */
export const claimFacts = (run: ClaimRun): ClaimFacts => ({
  stage: run.stage,
  claimantId: run.input.claimantId,
  assigneeId: run.assigneeId,
  amountClaimed: run.input.amountClaimed,
  settings: run.input.settings,
  pastAssigneeIds: [...run.pastAssigneeIds],
  approvalRequestedBy: [
    ...(run.input.resumption?.approvalRequestedBy ?? []),
    ...run.history.filter((entry) => entry.to === 'waiting_approval' && entry.actorId !== null).map((entry) => entry.actorId!),
  ],
  selfAssignedBy: [...run.selfAssignedBy],
  decisionPending: run.approving,
  recordingMoney: run.recordingMoney,
  assignmentCount: run.assignmentCount,
  historyLength: run.history.length,
  paymentsUndecided: run.payments.some((payment) => UNDECIDED_STATUSES.includes(payment.status)),
  // Validators are not replayed: they always add exactly.
  amountPaidInPart: amountPaidOrHeld(run, EXACT),
});

export const summary = (run: ClaimRun): ClaimUpdateResult => ({
  claimNumber: run.input.claimNumber,
  stage: run.stage,
  assigneeId: run.assigneeId,
  amountClaimed: run.input.amountClaimed,
  amountApproved: run.amountApproved,
  denialReason: run.denialReason,
  nextDeadline: run.nextDeadline,
  historyLength: run.history.length,
});

export const claimState = (run: ClaimRun): ClaimState => ({
  ...summary(run),
  history: [...run.history],
  documentIds: [...run.documentIds],
});

export function publish(run: ClaimRun): void {
  const { stage, assigneeId, nextDeadline } = run;
  const waiting = nextDeadline ? `; next: ${nextDeadline.action} at ${nextDeadline.at}` : '';
  publishStatus({
    status: stage,
    dueAt: nextDeadline ? new Date(nextDeadline.at) : null,
    assigneeId,
    details: `${run.input.claimNumber}: ${stage}${assigneeId ? `, assigned to ${assigneeId}` : ''}${waiting}`,
  });
}

/** The next history entry; a reopened claim's history goes on from the entry that reopened it. */
export const nextEntry = (run: ClaimRun, to: ClaimStage, actorId: string | null, note: string | null): ClaimHistoryEntry => ({
  sequence: run.history[0].sequence + run.history.length,
  from: run.stage,
  to,
  actorId,
  note,
  at: new Date().toISOString(),
});

export function enter(run: ClaimRun, entry: ClaimHistoryEntry): void {
  run.history.push(entry);
  if (entry.to !== run.stage) {
    run.stage = entry.to;
    run.stageEntry = entry;
    run.nextDeadline = null;
  }
  publish(run);
}

/** Moves the claim at once in memory (later validators see the new stage) and records it in order. */
export function move(run: ClaimRun, to: ClaimStage, actorId: string | null, note: string | null): Promise<ClaimHistoryEntry> {
  const entry = nextEntry(run, to, actorId, note);
  enter(run, entry);
  const { input, assigneeId, amountApproved, denialReason } = run;
  const record = { claimId: input.claimId, tenantId: input.tenantId, ...entry, assigneeId, amountApproved, denialReason };
  run.recording = run.recording.then(() => recordClaimTransition(record));
  return run.recording.then(() => entry);
}

/**
 * One e-mail per (transition or stay, purpose), whatever retries happen. It goes out in the
 * background: an update answers the API once the transition is recorded, without waiting for the
 * mail server.
 */
export function email(
  run: ClaimRun,
  entry: ClaimHistoryEntry,
  to: Parameters<Activities['sendEmail']>[0]['to'],
  message: ClaimMessage,
  slaBreach?: string,
): void {
  const { purpose, template } = message;
  run.outbox.push(
    sendEmail({ idempotencyKey: `${run.workflowId}:${entry.sequence}:${purpose}`, tenantId: run.input.tenantId, to, template, slaBreach }),
  );
}

export const toClaimant = (run: ClaimRun) => ({ userIds: [run.input.claimantId] });
export const TO_MANAGERS = { roles: CLAIMS_MANAGERS };
