/**
 * Claim processing — workflow `claim-<tenant slug>-<claimNumber>` (docs/claims.md; the slug because
 * claim numbers repeat across tenants).
 *
 * The claim waits in each stage for a person's decision (an update, checked by claim-rules
 * before anything is recorded) while the stage's deadlines run: unassigned → escalation to the
 * claims managers; documents requested → reminder to the claimant, escalation, then automatic
 * denial; waiting for approval → escalation. Approval pays the claim and closes it; denial closes
 * it. Every transition is written to claim_history by an activity, in order; an approval is
 * written (and checked against the subscription's coverage) before the run moves.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  assignClaimUpdate,
  ClaimDeadline,
  ClaimHistoryEntry,
  ClaimOutcome,
  type ClaimResumption,
  ClaimStage,
  ClaimState,
  claimStateQuery,
  ClaimUpdateResult,
  ClaimWorkflowInput,
  DOCUMENTS_NOT_RECEIVED,
  documentUploadedSignal,
  transitionClaimUpdate,
  TransitionRequest,
} from '../contracts/claim';
import { rescheduleDeadlinesUpdate } from '../contracts/calendar-reschedule';
import {
  type ClaimPayment,
  decidePaymentUpdate,
  HOLDING_STATUSES,
  type PaymentAnswer,
  paymentSettledSignal,
  requestPaymentUpdate,
  UNDECIDED_STATUSES,
} from '../contracts/claim-payments';
import {
  changeReserveUpdate,
  decideReserveChangeUpdate,
  type ReserveChange,
  type ReserveLine,
  type ReservesAnswer,
} from '../contracts/claim-reserves';
import { MAX_DOCUMENTS_PER_CLAIM } from '../shared/document-budget';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import type { Role } from '../shared/roles';
import { deadlinesOf, type StageDeadline } from './claim/deadlines';
import { claimMessages, type ClaimMessage } from './claim/messages';
import { checkPaymentDecision, checkPaymentRequest, paymentSecondPerson, type PaymentFacts } from './claim/payments';
import { checkReserveChange, checkReserveDecision, lineOf, needsApproval, type ReserveFacts } from './claim/reserves';
import { checkAssignment, checkTransition, ClaimFacts } from './claim-rules';
import { publishStatus } from './support/business-status';

const CLAIMS_MANAGERS: Role[] = ['claims_manager'];

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
/** Deadlines counted in business time ask an activity for their instants (docs/calendars.md); runs before it have none. */
const BUSINESS_TIME_DEADLINES = 'business-time-deadlines';
/**
 * Decisions on the claim's money recorded after this marker count authority cumulatively
 * (src/shared/claim-authority.ts): what the person let through alone before counts, payments beyond the
 * amount claimed need a claims manager, and the activity may hold a payment for a second person
 * (the month's total, a new payee). Decisions replayed from before it keep the per-request rule.
 * Validators are not replayed, so they always judge by the new rule.
 */
const CUMULATIVE_AUTHORITY = 'cumulative-authority';

const STEP_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const { recordClaimTransition, recordClaimApproval, recordReserveChanges, recordPayment } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: STEP_RETRY,
});
// A database read and arithmetic: quick, and retried like any step.
const { dueInstants } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: STEP_RETRY });
// Longer than the slowest delivery the configuration allows (src/shared/notification-timing.ts).
const { sendEmail } = proxyActivities<Activities>({ startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS, retry: STEP_RETRY });

// Money leaves the company here: retried patiently, and idempotent by claim in the database.
const { disburseClaimPayment } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function claimWorkflow(input: ClaimWorkflowInput): Promise<ClaimOutcome> {
  const { workflowId } = workflowInfo();
  const { settings, resumption } = input;

  // Widened on purpose: handlers change it, which the compiler's narrowing of the loop cannot see.
  // A run that takes over from an ended one starts where the API left the claim.
  let stage = (resumption ? resumption.entry.to : 'reported') as ClaimStage;
  let assigneeId: string | null = resumption?.assigneeId ?? null;
  let amountApproved: number | null = resumption?.amountApproved ?? null;
  let denialReason: string | null = resumption?.denialReason ?? null;
  let paymentReference: string | null = null;
  let nextDeadline: ClaimDeadline | null = null;
  const pastAssigneeIds = new Set<string>(resumption?.assigneeId ? [resumption.assigneeId] : []);
  const documentIds = new Set<string>();
  const selfAssignedBy = new Set<string>();
  // The claim's money. Declared before any handler: an Update that arrived with the start is
  // validated as its handler is set, and its validator reads them.
  // A restored run goes on with the lines and payments as recorded; a reopened one restores its lines below.
  const reserves: ReserveLine[] = resumption?.kind === 'restored' ? resumption.reserves.map((line) => ({ ...line })) : [];
  const reserveChanges: ReserveChange[] = [];
  /** Each holds its amount off its reserve line until voided or failed. */
  const payments: ClaimPayment[] = (resumption?.payments ?? []).map((payment) => ({ ...payment }));
  /** Set while a change of the claim's money is recorded: validators refuse the next meanwhile. */
  let recordingMoney = false;
  /** Payments of earlier runs this run does not hold: its references go on after them. */
  const earlierPayments = (resumption?.paymentCount ?? 0) - (resumption?.payments.length ?? 0);
  /** Whether closing has any money to settle: reserves, their changes or payments. */
  const holdsMoney = () => reserveChanges.length > 0 || reserves.length > 0 || payments.length > 0;
  /** What the claim's payments hold, and what an earlier run paid: an approval pays the rest. */
  const amountPaidOrHeld = () =>
    payments
      .filter((payment) => HOLDING_STATUSES.includes(payment.status))
      .reduce((sum, payment) => sum + payment.amount, resumption?.amountPaid ?? 0);
  /** Set while an approval is being recorded: validators refuse every other decision meanwhile. */
  let approving = false;
  let assignmentCount = 0;
  const history: ClaimHistoryEntry[] = [
    resumption?.entry ?? { sequence: 0, from: null, to: 'reported', actorId: input.filedById, note: 'Claim filed', at: input.filedAt },
  ];
  /** The history entry that entered the current stage: its sequence tells one stay from the next. */
  let stageEntry = history[0];
  // Transitions are written one after the other, so the claim row always ends at the latest.
  let recording: Promise<void> = Promise.resolve();

  const facts = (): ClaimFacts => ({
    stage,
    claimantId: input.claimantId,
    assigneeId,
    amountClaimed: input.amountClaimed,
    settings,
    pastAssigneeIds: [...pastAssigneeIds],
    approvalRequestedBy: [
      ...(resumption?.approvalRequestedBy ?? []),
      ...history.filter((entry) => entry.to === 'waiting_approval' && entry.actorId !== null).map((entry) => entry.actorId!),
    ],
    selfAssignedBy: [...selfAssignedBy],
    decisionPending: approving,
    assignmentCount,
    historyLength: history.length,
    paymentsUndecided: payments.some((payment) => UNDECIDED_STATUSES.includes(payment.status)),
    amountPaidInPart: amountPaidOrHeld(),
  });
  const summary = (): ClaimUpdateResult => ({
    claimNumber: input.claimNumber,
    stage,
    assigneeId,
    amountClaimed: input.amountClaimed,
    amountApproved,
    denialReason,
    nextDeadline,
    historyLength: history.length,
  });
  const state = (): ClaimState => ({ ...summary(), history: [...history], documentIds: [...documentIds] });

  function publish(): void {
    const waiting = nextDeadline ? `; next: ${nextDeadline.action} at ${nextDeadline.at}` : '';
    publishStatus({
      status: stage,
      dueAt: nextDeadline ? new Date(nextDeadline.at) : null,
      assigneeId,
      details: `${input.claimNumber}: ${stage}${assigneeId ? `, assigned to ${assigneeId}` : ''}${waiting}`,
    });
  }

  // A reopened claim's history goes on from the entry that reopened it.
  const nextEntry = (to: ClaimStage, actorId: string | null, note: string | null): ClaimHistoryEntry => ({
    sequence: history[0].sequence + history.length,
    from: stage,
    to,
    actorId,
    note,
    at: new Date().toISOString(),
  });

  function enter(entry: ClaimHistoryEntry): void {
    history.push(entry);
    if (entry.to !== stage) {
      stage = entry.to;
      stageEntry = entry;
      nextDeadline = null;
    }
    publish();
  }

  /** Moves the claim at once in memory (later validators see the new stage) and records it in order. */
  function move(to: ClaimStage, actorId: string | null, note: string | null): Promise<ClaimHistoryEntry> {
    const entry = nextEntry(to, actorId, note);
    enter(entry);
    const record = { claimId: input.claimId, tenantId: input.tenantId, ...entry, assigneeId, amountApproved, denialReason };
    recording = recording.then(() => recordClaimTransition(record));
    return recording.then(() => entry);
  }

  /**
   * Approves the claim only once the database has accepted it: the activity checks the approvals
   * on the subscription against its coverage in the transaction that records this one, and a
   * refusal leaves the run exactly as it was (the update fails with the activity's reason).
   */
  async function approve(request: TransitionRequest): Promise<void> {
    approving = true;
    try {
      const approved = request.approvedAmount ?? input.amountClaimed;
      const entry = nextEntry('approved', request.actor.id, request.note ?? null);
      await recording;
      try {
        await recordClaimApproval({
          claimId: input.claimId,
          tenantId: input.tenantId,
          ...entry,
          assigneeId,
          amountApproved: approved,
          denialReason,
        });
      } catch (err) {
        throw err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
      }
      amountApproved = approved;
      enter(entry);
    } finally {
      approving = false;
    }
  }

  // E-mails go out in the background: an update answers the API once the transition is
  // recorded, without waiting for the mail server. The run ends only after all are sent.
  const outbox: Promise<unknown>[] = [];
  /** One e-mail per (transition or stay, purpose), whatever retries happen. */
  function email(
    entry: ClaimHistoryEntry,
    to: Parameters<Activities['sendEmail']>[0]['to'],
    message: ClaimMessage,
    slaBreach?: string,
  ): void {
    const { purpose, template } = message;
    outbox.push(
      sendEmail({ idempotencyKey: `${workflowId}:${entry.sequence}:${purpose}`, tenantId: input.tenantId, to, template, slaBreach }),
    );
  }
  const toClaimant = { userIds: [input.claimantId] };
  const toManagers = { roles: CLAIMS_MANAGERS };

  setHandler(claimStateQuery, state);

  setHandler(
    assignClaimUpdate,
    async (request) => {
      const firstAssignment = stage === 'reported';
      assigneeId = request.assigneeId;
      pastAssigneeIds.add(request.assigneeId);
      if (request.assigneeId === request.actor.id) selfAssignedBy.add(request.actor.id);
      assignmentCount += 1;
      const note = request.note ?? (firstAssignment ? 'Claim assigned' : 'Claim reassigned');
      const entry = await move(firstAssignment ? 'assigned' : stage, request.actor.id, note);
      email(entry, { userIds: [request.assigneeId] }, claimMessages.assigned(input.claimNumber, stage));
      if (firstAssignment && reserves.length === 0 && patched(RESERVE_AT_ASSIGNMENT)) await reserveAmountClaimed(entry);
      return summary();
    },
    { validator: (request) => checkAssignment(facts(), request) },
  );

  setHandler(
    transitionClaimUpdate,
    async (request) => {
      if (request.to === 'approved' && patched(APPROVAL_CHECKS_COVERAGE)) {
        await approve(request);
        return summary();
      }
      if (request.to === 'approved') amountApproved = request.approvedAmount ?? input.amountClaimed;
      if (request.to === 'denied') denialReason = request.reason ?? null;
      const entry = await move(request.to, request.actor.id, request.note ?? request.reason ?? null);
      if (request.to === 'documents_requested') {
        email(entry, toClaimant, claimMessages.documentsRequested(input.claimNumber, request.note));
      }
      return summary();
    },
    { validator: (request) => checkTransition(facts(), request) },
  );

  setHandler(documentUploadedSignal, async (upload) => {
    const known = documentIds.has(upload.documentId);
    const full = documentIds.size >= MAX_DOCUMENTS_PER_CLAIM;
    if ((known || full) && patched(DOCUMENTS_TAKEN_ONCE)) return;
    if (!full) documentIds.add(upload.documentId);
    // Only an upload the claim is waiting for moves it; later ones are just kept with the claim.
    if (stage !== 'documents_requested') return;
    const entry = await move('under_review', upload.uploadedById, `Documents received: ${upload.fileName}`);
    if (assigneeId) {
      email(entry, { userIds: [assigneeId] }, claimMessages.documentsReceived(input.claimNumber, upload.fileName));
    }
  });

  // Reserves (claim/reserves.ts) and payments (claim/payments.ts): their state is declared with the run's, above.
  // `cumulative`: a validator always judges by the cumulative rule; a handler as its patch says (CUMULATIVE_AUTHORITY).
  const reserveFacts = (cumulative = true): ReserveFacts => ({
    stage,
    claimantId: input.claimantId,
    assigneeId,
    settings,
    reserves,
    changes: reserveChanges,
    recording: recordingMoney,
    cumulative,
  });
  const paymentFacts = (cumulative = true): PaymentFacts => ({
    ...reserveFacts(cumulative),
    payments,
    amountClaimed: input.amountClaimed,
    paidByEarlierRuns: resumption?.amountPaid ?? 0,
  });
  const linesNow = () => reserves.map((line) => ({ ...line }));
  const reservesAnswer = (change: ReserveChange): ReservesAnswer => ({ change: { ...change }, reserves: linesNow() });
  const paymentAnswer = (payment: ClaimPayment): PaymentAnswer => ({
    payment: { ...payment, payee: { ...payment.payee } },
    reserves: linesNow(),
  });

  /**
   * Runs one write of the claim's money with nothing else of it in flight: the lines are written as
   * amounts, so two writes must not cross. Decisions are refused meanwhile (the validators); the
   * run's own writes (a payment the bank returned, the release at closing) wait their turn.
   */
  async function recordMoney<T>(write: () => Promise<T>): Promise<T> {
    if (recordingMoney) await condition(() => !recordingMoney);
    recordingMoney = true;
    try {
      return await write();
    } finally {
      recordingMoney = false;
    }
  }

  /** Applies recorded changes to the lines. */
  function applyToLines(changes: ReserveChange[]): void {
    for (const change of changes) {
      if (change.status === 'pending' || change.status === 'rejected') continue;
      const line = lineOf(reserves, change);
      if (line) line.amount = change.amount;
      else reserves.push({ costType: change.costType, category: change.category, amount: change.amount });
    }
  }

  /** Records the changes in order and applies those that apply to the lines. */
  async function recordReserves(changes: ReserveChange[]): Promise<void> {
    await recordMoney(() => recordReserveChanges({ claimId: input.claimId, tenantId: input.tenantId, changes }));
    applyToLines(changes);
  }

  setHandler(
    changeReserveUpdate,
    async (request) => {
      const { actor, changeId: id, costType, category, amount, reason } = request;
      const change: ReserveChange = {
        id,
        costType,
        category,
        amountBefore: lineOf(reserves, request)?.amount ?? 0,
        amount,
        reason,
        requestedById: actor.id,
        requestedAt: new Date().toISOString(),
        status: needsApproval(reserveFacts(patched(CUMULATIVE_AUTHORITY)), request) ? 'pending' : 'applied',
        decidedById: null,
      };
      reserveChanges.push(change);
      await recordReserves([change]);
      return reservesAnswer(change);
    },
    { validator: (request) => checkReserveChange(reserveFacts(), request) },
  );

  setHandler(
    decideReserveChangeUpdate,
    async (request) => {
      const change = checkReserveDecision(reserveFacts(patched(CUMULATIVE_AUTHORITY)), request);
      // What the line holds now: another change may have moved it since this one was asked.
      Object.assign(change, {
        amountBefore: lineOf(reserves, change)?.amount ?? 0,
        status: request.approve ? 'approved' : 'rejected',
        decidedById: request.actor.id,
      });
      await recordReserves([change]);
      return reservesAnswer(change);
    },
    { validator: (request) => void checkReserveDecision(reserveFacts(), request) },
  );

  /** The change a payment makes to its line: `payment` takes its amount off, `payment_returned` gives it back. */
  function paymentReserveChange(payment: ClaimPayment, status: 'payment' | 'payment_returned', reason: string, actorId: string | null) {
    const before = lineOf(reserves, payment)?.amount ?? 0;
    const change: ReserveChange = {
      id: uuid4(),
      costType: payment.costType,
      category: payment.category,
      amountBefore: before,
      amount: status === 'payment' ? before - payment.amount : before + payment.amount,
      reason,
      requestedById: actorId,
      requestedAt: new Date().toISOString(),
      status,
      decidedById: null,
    };
    reserveChanges.push(change);
    return change;
  }

  setHandler(
    requestPaymentUpdate,
    async (request) => {
      const { actor, paymentId: id, costType, category, amount, currency, payee, note } = request;
      const cumulative = patched(CUMULATIVE_AUTHORITY);
      let alone = paymentSecondPerson(paymentFacts(cumulative), request) === null;
      const payment: ClaimPayment = {
        id,
        reference: `PAY-${input.claimNumber}-${earlierPayments + payments.length + 1}`,
        costType,
        category,
        amount,
        currency,
        payee,
        note: note ?? null,
        status: alone ? 'approved' : 'requested',
        requestedById: actor.id,
        requestedAt: new Date().toISOString(),
        approvedById: alone ? actor.id : null,
        voidedById: null,
      };
      payments.push(payment);
      const hold = paymentReserveChange(payment, 'payment', `Payment ${payment.reference} requested`, actor.id);
      const recorded = await recordMoney(() =>
        recordPayment({
          claimId: input.claimId,
          tenantId: input.tenantId,
          payment,
          from: null,
          actorId: null,
          reserveChanges: [hold],
          // Only the database knows the asker's total of the month across claims and the payee's accounts on the claim.
          ...(alone && cumulative && { soleApprover: actor }),
        }),
      );
      // The activity held it for a second person (the month's total, a new payee): it was recorded as requested.
      if (alone && cumulative && recorded?.status === 'requested') {
        Object.assign(payment, { status: 'requested', approvedById: null });
        alone = false;
      }
      applyToLines([hold]);
      if (alone) email(stageEntry, toClaimant, claimMessages.payment(input.claimNumber, 'approved', amount, payment.reference));
      return paymentAnswer(payment);
    },
    { validator: (request) => checkPaymentRequest(paymentFacts(), request) },
  );

  /**
   * Records a decision on a payment once the database accepted it, then applies it: a batch may
   * have issued the payment meanwhile, and then the activity refuses and the run stays as it was.
   */
  async function decide(payment: ClaimPayment, decision: 'approve' | 'void', actorId: string | null, why: string): Promise<void> {
    const approve = decision === 'approve';
    const decided: ClaimPayment = {
      ...payment,
      status: approve ? 'approved' : 'voided',
      approvedById: approve ? actorId : payment.approvedById,
      voidedById: approve ? null : actorId,
    };
    const returned = approve ? [] : [paymentReserveChange(payment, 'payment_returned', `Payment ${payment.reference} ${why}`, actorId)];
    try {
      await recordMoney(() =>
        recordPayment({
          claimId: input.claimId,
          tenantId: input.tenantId,
          payment: decided,
          from: approve ? ['requested'] : [...UNDECIDED_STATUSES],
          actorId,
          reserveChanges: returned,
        }),
      );
    } catch (err) {
      reserveChanges.splice(reserveChanges.length - returned.length, returned.length);
      throw err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
    }
    Object.assign(payment, decided);
    applyToLines(returned);
    if (approve) email(stageEntry, toClaimant, claimMessages.payment(input.claimNumber, 'approved', payment.amount, payment.reference));
  }

  setHandler(
    decidePaymentUpdate,
    async (request) => {
      const payment = checkPaymentDecision(paymentFacts(patched(CUMULATIVE_AUTHORITY)), request);
      await decide(payment, request.decision, request.actor.id, 'voided');
      return paymentAnswer(payment);
    },
    { validator: (request) => void checkPaymentDecision(paymentFacts(), request) },
  );

  /** Where a payment is on its way: the database's word (a batch, the bank) only moves it forward. */
  const SETTLED_RANK: Partial<Record<ClaimPayment['status'], number>> = { approved: 0, issued: 1, cleared: 2, failed: 2 };

  setHandler(paymentSettledSignal, async ({ paymentId, status }) => {
    const payment = payments.find((candidate) => candidate.id === paymentId);
    const rank = payment && SETTLED_RANK[payment.status];
    if (!payment || rank === undefined || rank >= SETTLED_RANK[status]!) return;
    payment.status = status;
    if (status === 'failed') {
      const returned = paymentReserveChange(payment, 'payment_returned', `Payment ${payment.reference} returned by the bank`, null);
      await recordReserves([returned]);
    }
    if (status !== 'issued')
      email(stageEntry, toClaimant, claimMessages.payment(input.claimNumber, status, payment.amount, payment.reference));
  });

  /** The first reserve, as the claim is first assigned: its amount claimed, as indemnity, until a handler knows better. */
  async function reserveAmountClaimed(entry: ClaimHistoryEntry): Promise<void> {
    const change: ReserveChange = {
      id: uuid4(),
      costType: 'indemnity',
      category: 'other',
      amountBefore: 0,
      amount: input.amountClaimed,
      reason: 'Initial reserve: the amount claimed',
      requestedById: null,
      requestedAt: entry.at,
      status: 'applied',
      decidedById: null,
    };
    reserveChanges.push(change);
    await recordReserves([change]);
  }

  /**
   * A claim closes with nothing left reserved. A payment still waiting for a decision or a batch
   * is voided (a deadline may deny the claim with one); once the payments on their way are cleared
   * or returned, each line still holding an amount is released to zero, and a reserve change still
   * waiting is rejected, recorded before the claim closes.
   */
  async function releaseReserves(): Promise<void> {
    for (const payment of payments.filter((candidate) => UNDECIDED_STATUSES.includes(candidate.status))) {
      // Refused only when a batch issued it first: the run hears of that from the outbox and waits for the bank below.
      await decide(payment, 'void', null, 'voided as the claim closed').catch(() => undefined);
    }
    const unsettled = () => payments.some((payment) => HOLDING_STATUSES.includes(payment.status) && payment.status !== 'cleared');
    if (unsettled()) await condition(() => !unsettled());
    const at = new Date().toISOString();
    const waiting = reserveChanges.filter((change) => change.status === 'pending');
    for (const change of waiting) Object.assign(change, { status: 'rejected', decidedById: null });
    const releases = reserves
      .filter((line) => line.amount > 0)
      .map((line, index): ReserveChange => ({
        id: uuid4(),
        ...line,
        amountBefore: line.amount,
        amount: 0,
        reason: `Released as claim ${input.claimNumber} closed (${index + 1})`,
        requestedById: null,
        requestedAt: at,
        status: 'released',
        decidedById: null,
      }));
    reserveChanges.push(...releases);
    await recordReserves([...waiting, ...releases]);
  }

  /**
   * The current stay's deadlines: when each falls due (epoch ms) and which is next. A calendar
   * change replaces `dueTimes` (the rescheduleDeadlines Update); `next` only grows, so a deadline
   * that fell due is never undone.
   */
  interface Stay {
    entry: ClaimHistoryEntry;
    deadlines: StageDeadline[];
    dueTimes: number[];
    next: number;
  }
  let stay: Stay | null = null;

  /** Waits for the stage to end, running its deadlines in order while it lasts. */
  async function stayInStage(deadlines: StageDeadline[]): Promise<void> {
    const entry = stageEntry;
    const moved = () => stageEntry !== entry;
    const current: Stay = { entry, deadlines, dueTimes: await dueTimesOf(deadlines, entry), next: 0 };
    stay = current;
    while (current.next < deadlines.length) {
      const deadline = deadlines[current.next];
      const { dueTimes } = current;
      const dueAt = dueTimes[current.next];
      nextDeadline = { at: new Date(dueAt).toISOString(), action: deadline.action };
      publish();
      const rescheduled = () => current.dueTimes !== dueTimes;
      if (await condition(() => moved() || rescheduled(), Math.max(dueAt - Date.now(), 1), { summary: deadline.summary })) {
        if (moved()) return;
        continue;
      }
      current.next += 1;
      await fallDue(deadline);
      if (moved()) return;
    }
    nextDeadline = null;
    publish();
    await condition(moved);
  }

  /**
   * When each deadline falls due, in epoch ms: wall-clock ones from the table, business-time ones
   * from an activity (time-zone data must not be read in workflow code), which also keeps the
   * stay's escalation instant on the claim row for the inbox and the SLA report.
   */
  async function dueTimesOf(deadlines: StageDeadline[], entry: ClaimHistoryEntry): Promise<number[]> {
    const enteredAt = new Date(entry.at).getTime();
    const business = deadlines.flatMap((d) => (d.business ? [d.business] : []));
    if (business.length === 0 || !patched(BUSINESS_TIME_DEADLINES)) return deadlines.map((d) => enteredAt + d.after);
    const instants = await dueInstants({
      tenantId: input.tenantId,
      start: entry.at,
      amounts: business.map((b) => b.amount),
      unit: business[0].unit,
      claim: {
        claimId: input.claimId,
        escalation: deadlines.filter((d) => d.business).findIndex((d) => d.effect.kind === 'escalate'),
      },
    });
    let next = 0;
    return deadlines.map((d) => (d.business ? new Date(instants[next++]).getTime() : enteredAt + d.after));
  }

  setHandler(rescheduleDeadlinesUpdate, async () => {
    const before = nextDeadline?.at ?? null;
    const current = stay;
    if (!current || current.entry !== stageEntry || !current.deadlines.some((d) => d.business)) return { before, after: before };
    const dueTimes = await dueTimesOf(current.deadlines, current.entry);
    // The stage ended while the instants were computed: its deadlines are gone.
    if (current.entry !== stageEntry) return { before, after: nextDeadline?.at ?? null };
    current.dueTimes = dueTimes;
    const after = current.next < dueTimes.length ? new Date(dueTimes[current.next]).toISOString() : null;
    return { before, after };
  });

  /** What a deadline of the table (claim/deadlines.ts) does when it falls due in the current stay. */
  async function fallDue({ effect }: StageDeadline): Promise<void> {
    if (effect.kind === 'remind_claimant') email(stageEntry, toClaimant, effect.message);
    // A missed deadline: the worker counts it as an SLA breach once sent (an activity input only,
    // so histories recorded before replay unchanged).
    if (effect.kind === 'escalate') email(stageEntry, toManagers, effect.message, effect.message.purpose);
    if (effect.kind === 'deny') {
      denialReason = DOCUMENTS_NOT_RECEIVED;
      await move('denied', null, effect.note);
    }
  }

  /** Pays what the approval leaves after the partial payments (none: they paid it all), then closes the claim. */
  async function payApprovedClaim(): Promise<void> {
    await move('payment_processing', null, 'Payment started');
    const settlement = amountApproved! - amountPaidOrHeld();
    if (settlement > 0) {
      const payment = await disburseClaimPayment({
        claimId: input.claimId,
        tenantId: input.tenantId,
        claimNumber: input.claimNumber,
        amount: settlement,
        ...(resumption && { reference: resumption.settlementReference }),
      });
      paymentReference = payment.reference;
      const paid = await move('paid', null, `Paid ${payment.amount.toFixed(2)}, reference ${payment.reference}`);
      email(paid, toClaimant, claimMessages.paid(input.claimNumber, payment.amount, payment.reference));
    } else {
      await move('paid', null, 'Paid in full by the partial payments');
    }
    if (holdsMoney()) await releaseReserves();
    await move('closed', null, 'Claim closed after payment');
  }

  async function closeDeniedClaim(): Promise<void> {
    const denied = stageEntry;
    email(denied, toClaimant, claimMessages.denied(input.claimNumber, denialReason));
    if (holdsMoney()) await releaseReserves();
    await move('closed', null, 'Claim closed after denial');
  }

  /** Reopening restores the reserves the claim closed with, before anything else happens to its money. */
  async function restoreReserves({ reserves: lines, entry }: ClaimResumption): Promise<void> {
    const restores = lines.map((line): ReserveChange => ({
      id: uuid4(),
      ...line,
      amountBefore: 0,
      amount: line.amount,
      reason: `Restored as claim ${input.claimNumber} reopened`,
      requestedById: entry.actorId,
      requestedAt: entry.at,
      status: 'applied',
      decidedById: null,
    }));
    reserveChanges.push(...restores);
    await recordReserves(restores);
  }

  publish();
  if (resumption?.kind === 'reopened' && resumption.reserves.length > 0) await restoreReserves(resumption);
  let outcome: ClaimOutcome['outcome'] | undefined;
  while (stage !== 'closed') {
    if (stage === 'approved') {
      await payApprovedClaim();
      outcome = 'paid';
    } else if (stage === 'denied') {
      await closeDeniedClaim();
      outcome = 'denied';
    } else {
      await stayInStage(deadlinesOf(stage, settings, input.claimNumber));
    }
  }
  await condition(allHandlersFinished);
  await Promise.all([recording, ...outbox]);
  return { claimNumber: input.claimNumber, outcome: outcome!, amountPaid: outcome === 'paid' ? amountApproved : null, paymentReference };
}
