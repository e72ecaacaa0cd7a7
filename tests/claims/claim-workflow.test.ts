/**
 * The claim workflow on the time-skipping server, with the real activities writing to a real
 * database and sending real e-mail to an SMTP sink: the happy path, denial, every SLA timer,
 * approval authority, a payment that fails once, partial payments outliving a denial by deadline,
 * and every illegal move refused.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import crypto from 'node:crypto';
import { Claim, ClaimHistory, ClaimReserveLine, ClaimPayment, TenantSettings, type User } from '../../src/models';
import { paymentSettledSignal, requestPaymentUpdate } from '../../src/contracts/claim-payments';
import { claimSlaBreaches } from '../../src/observability/business-metrics';
import {
  assignClaimUpdate,
  CLAIM_STAGES,
  claimRun,
  ClaimStage,
  claimStateQuery,
  ClaimWorkflow,
  documentUploadedSignal,
  OPEN_STAGES,
  transitionClaimUpdate,
  TransitionRequest,
} from '../../src/contracts/claim';
import { DECISION_MOVES } from '../../src/workflows/claim/transitions';
import { recordHistory } from '../support/histories';
import type { SmtpSink } from '../support/smtp-sink';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { buildClaim, buildPlan, buildSubscription } from '../support/factories';
import { claimWorkflowInput, ClaimsTeam, createClaimsTeam } from './fixtures';
import { resultOf, waitUntil } from '../support/waiting';

const { EventType } = temporal.api.enums.v1;
const TASK_QUEUE = 'claims-time-skipping';

describe('claim workflow (time-skipping)', () => {
  let stack: TimeSkippingStack;
  let env: TestWorkflowEnvironment;
  let smtp: SmtpSink;
  let team: ClaimsTeam;
  /** ClaimPayment attempts still to fail after the payment is written, as if the worker crashed. */
  let paymentFailuresLeft = 0;
  /** While set, approvals wait for it before they are recorded. */
  let approvalsHeld: Promise<void> | null = null;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    ({ env, smtp } = stack);
    const { disburseClaimPayment, recordClaimApproval } = stack.activities;
    await stack.startWorker(TASK_QUEUE, {
      async recordClaimApproval(input: Parameters<typeof recordClaimApproval>[0]) {
        await approvalsHeld;
        return recordClaimApproval(input);
      },
      async disburseClaimPayment(input: Parameters<typeof disburseClaimPayment>[0]) {
        const payment = await disburseClaimPayment(input);
        if (paymentFailuresLeft > 0) {
          paymentFailuresLeft -= 1;
          throw new Error('connection to the bank lost after the transfer');
        }
        return payment;
      },
    });
    team = await createClaimsTeam();
  });

  afterAll(() => stack?.close());

  const actor = (user: User) => ({ id: user.id, role: user.role });

  async function fileClaim(
    amount: number,
    claimant: User = team.claimant,
    subscriptionId?: string,
  ): Promise<WorkflowHandle<ClaimWorkflow>> {
    const subscription = subscriptionId ? { id: subscriptionId } : await buildSubscription({ policyholderId: claimant.id });
    const filedAt = new Date(Number(await env.currentTimeMs()));
    const claim = await buildClaim({
      subscriptionId: subscription.id,
      amountClaimed: amount.toFixed(2),
      filedById: team.agent.id,
      filedAt,
    });
    return env.client.workflow.start<ClaimWorkflow>(claimRun.type, {
      taskQueue: TASK_QUEUE,
      workflowId: claim.workflowId,
      args: [claimWorkflowInput(claim, filedAt)],
    });
  }

  const move = (handle: WorkflowHandle, request: TransitionRequest) => handle.executeUpdate(transitionClaimUpdate, { args: [request] });
  const assign = (handle: WorkflowHandle, assignee: User, by: User = team.manager) =>
    handle.executeUpdate(assignClaimUpdate, { args: [{ actor: actor(by), assigneeId: assignee.id, assigneeRole: assignee.role }] });

  /** Files a claim assigned to `assignee` and walks it through the given stages. */
  async function claimAt(stages: ClaimStage[], amount = 4000, assignee: User = team.adjuster) {
    const handle = await fileClaim(amount);
    if (stages.length > 0) await assign(handle, assignee);
    for (const to of stages.slice(1))
      await move(handle, { actor: actor(assignee), to, reason: to === 'denied' ? 'not covered' : undefined });
    return handle;
  }
  const TO_WAITING_APPROVAL: ClaimStage[] = ['assigned', 'under_review', 'waiting_approval'];

  async function rejectionOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return cause as ApplicationFailure;
  }

  async function historyOf(handle: WorkflowHandle): Promise<Array<[ClaimStage | null, ClaimStage]>> {
    const claim = await Claim.findOne({ where: { workflowId: handle.workflowId } });
    const rows = await ClaimHistory.findAll({ where: { claimId: claim!.id }, order: [['sequence', 'ASC']] });
    return rows.map((r) => [r.fromStatus, r.toStatus]);
  }

  const mailTo = (user: User, subjectPart: string) => smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes(subjectPart));

  it('walks the path from filing to closed, pays once and records every transition', async () => {
    const handle = await claimAt(TO_WAITING_APPROVAL);
    await move(handle, { actor: actor(team.adjuster), to: 'approved', note: 'Plumber invoice checked' });
    const outcome = await resultOf(handle);

    expect(outcome).toMatchObject({ outcome: 'paid', amountPaid: 4000 });
    const claim = await Claim.findOne({ where: { workflowId: handle.workflowId } });
    expect(claim).toMatchObject({ status: 'closed', amountApproved: '4000.00', assigneeId: team.adjuster.id });
    expect(await historyOf(handle)).toEqual([
      [null, 'reported'],
      ['reported', 'assigned'],
      ['assigned', 'under_review'],
      ['under_review', 'waiting_approval'],
      ['waiting_approval', 'approved'],
      ['approved', 'payment_processing'],
      ['payment_processing', 'paid'],
      ['paid', 'closed'],
    ]);
    const payments = await ClaimPayment.findAll({ where: { claimId: claim!.id } });
    expect(payments.map((p) => [p.amount, p.reference])).toEqual([['4000.00', `PAY-${claim!.claimNumber}`]]);
    await mailTo(team.adjuster, 'is assigned to you');
    await mailTo(team.claimant, 'is paid');
    await recordHistory(handle, 'claimWorkflow');
  });

  it('writes the settlement with its currency’s decimals in the history note and the claimant’s mail: yen and dinars', async () => {
    for (const [currency, amount, written] of [
      ['JPY', 4000, '4000'],
      ['KWD', 1234.5, '1234.500'],
    ] as const) {
      const plan = await buildPlan({ tenantId: team.tenant.id, currency, coverageAmount: '1000000.00' });
      const subscription = await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id });
      const handle = await fileClaim(amount, team.claimant, subscription.id);
      await assign(handle, team.adjuster);
      for (const to of TO_WAITING_APPROVAL.slice(1)) await move(handle, { actor: actor(team.adjuster), to });
      await move(handle, { actor: actor(team.adjuster), to: 'approved', note: 'Invoice checked' });
      await resultOf(handle);

      const claim = await Claim.findOne({ where: { workflowId: handle.workflowId }, rejectOnEmpty: true });
      const paid = await ClaimHistory.findOne({ where: { claimId: claim.id, toStatus: 'paid' }, rejectOnEmpty: true });
      expect(paid.note).toBe(`Paid ${written}, reference PAY-${claim.claimNumber}`);
      const mail = await mailTo(team.claimant, `Claim ${claim.claimNumber} is paid`);
      expect(mail.text).toContain(`We paid ${written} for claim ${claim.claimNumber} (reference PAY-${claim.claimNumber}).`);
    }
  });

  it('closes a denied claim with its reason and pays nothing', async () => {
    const handle = await claimAt(['assigned', 'under_review']);
    await move(handle, { actor: actor(team.adjuster), to: 'denied', reason: 'wear and tear is not covered' });
    expect(await resultOf(handle)).toMatchObject({ outcome: 'denied', amountPaid: null });
    const claim = await Claim.findOne({ where: { workflowId: handle.workflowId } });
    expect(claim).toMatchObject({ status: 'closed', denialReason: 'wear and tear is not covered' });
    expect(await ClaimPayment.count({ where: { claimId: claim!.id } })).toBe(0);
    expect((await historyOf(handle)).slice(-2)).toEqual([
      ['under_review', 'denied'],
      ['denied', 'closed'],
    ]);
    await mailTo(team.claimant, 'is denied');
  });

  it('escalates a claim unassigned for 24 hours to the claims managers, counted as an SLA breach', async () => {
    const breaches = async () =>
      (await claimSlaBreaches.get()).values.find((v) => v.labels.escalation === 'unassigned-escalation')?.value ?? 0;
    const before = await breaches();
    const handle = await fileClaim(1200);
    const state = await handle.query(claimStateQuery);
    expect(state.nextDeadline?.action).toBe('unassigned_escalation');
    expect(new Date(state.nextDeadline!.at).getTime() - new Date(state.history[0].at).getTime()).toBe(24 * 3_600_000);
    await stack.skip('23 hours', handle);
    expect(smtp.messages.some((m) => m.subject.includes(`${state.claimNumber} is still unassigned`))).toBe(false);
    await stack.skip('1 hour', handle);
    const mail = await mailTo(team.manager, `${state.claimNumber} is still unassigned`);
    expect(mail.to).toEqual([team.manager.email]);
    // Counted once the e-mail is recorded sent, a moment after the sink has it.
    await waitUntil(async () => (await breaches()) === before + 1, 'insurflow_claim_sla_breaches_total + 1');
    await stack.terminate(handle);
  });

  it('escalates a claim waiting 48 hours for approval to the claims managers', async () => {
    const handle = await claimAt(TO_WAITING_APPROVAL);
    const { claimNumber, nextDeadline } = await handle.query(claimStateQuery);
    expect(nextDeadline?.action).toBe('approval_escalation');
    await stack.skip('48 hours', handle);
    await mailTo(team.manager, `${claimNumber} is waiting for approval`);
    await stack.terminate(handle);
  });

  it('waits for an approval being recorded when the approval deadline comes, and escalates nothing', async () => {
    // The approval's activity is held while the escalation's timer fires: the approver acted before
    // the deadline, so the managers must not be told the claim still waits, nor a breach counted.
    const breaches = async () =>
      (await claimSlaBreaches.get()).values.find((v) => v.labels.escalation === 'approval-escalation')?.value ?? 0;
    const before = await breaches();
    const handle = await claimAt(TO_WAITING_APPROVAL);
    const { claimNumber, nextDeadline } = await handle.query(claimStateQuery);
    expect(nextDeadline?.action).toBe('approval_escalation');
    // Five seconds before the deadline: the approval is accepted well before it, even on a loaded
    // machine (the clock runs in real time while the approval is held).
    await stack.skip(Date.parse(nextDeadline!.at) - Number(await env.currentTimeMs()) - 5000, handle);
    let release!: () => void;
    approvalsHeld = new Promise<void>((resolve) => (release = resolve));
    // A failed expectation must not leave the activity held: the worker's shutdown would wait for it.
    try {
      const approving = move(handle, { actor: actor(team.adjuster), to: 'approved' });
      await waitUntil(async () => {
        const events = (await handle.fetchHistory()).events ?? [];
        const accepted = events.map((e) => e.eventType).lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
        const fired = events.findIndex((e, at) => at > accepted && e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
        return accepted >= 0 && fired >= 0 && events.slice(fired).some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
      }, 'the approval escalation timer fired, and its workflow task completed, while the approval was recorded');
      release();
      expect(await approving).toMatchObject({ stage: 'approved' });
      expect(await stack.resultInPresentTime(handle)).toMatchObject({ outcome: 'paid', amountPaid: 4000 });
    } finally {
      release();
      approvalsHeld = null;
    }
    // The run ends once its e-mails are sent, so an escalation would be in the sink by now.
    expect(smtp.messages.filter((m) => m.subject.includes(`${claimNumber} is waiting for approval`))).toEqual([]);
    expect(await breaches()).toBe(before);
    await recordHistory(handle, 'claimWorkflow-approval-at-deadline');
  });

  it('reminds at 7 days, escalates at 14 and denies at 30 days when documents never come', async () => {
    const handle = await claimAt(['assigned', 'under_review', 'documents_requested']);
    const { claimNumber } = await handle.query(claimStateQuery);
    await mailTo(team.claimant, `Documents needed for claim ${claimNumber}`);
    expect((await handle.query(claimStateQuery)).nextDeadline?.action).toBe('documents_reminder');

    await stack.skip('7 days', handle);
    await mailTo(team.claimant, `Reminder: documents needed for claim ${claimNumber}`);
    expect((await handle.query(claimStateQuery)).nextDeadline?.action).toBe('documents_escalation');

    await stack.skip('7 days', handle);
    await mailTo(team.manager, `Claim ${claimNumber}: documents overdue`);
    expect((await handle.query(claimStateQuery)).nextDeadline?.action).toBe('documents_auto_deny');

    await stack.skip('16 days', handle);
    expect(await resultOf(handle)).toMatchObject({ outcome: 'denied' });
    const claim = await Claim.findOne({ where: { workflowId: handle.workflowId } });
    expect(claim).toMatchObject({ status: 'closed', denialReason: 'documents_not_received' });
    const denial = await ClaimHistory.findOne({ where: { claimId: claim!.id, toStatus: 'denied' } });
    expect(denial).toMatchObject({ fromStatus: 'documents_requested', actorId: null });
    await mailTo(team.claimant, `Claim ${claimNumber} is denied`);
  });

  it('does not deny by its deadline a claim whose payments hold money: it stays open and its handler and the claims managers are told', async () => {
    const handle = await claimAt(['assigned', 'under_review', 'documents_requested']);
    const { claimNumber } = await handle.query(claimStateQuery);
    const payee = { kind: 'third_party' as const, name: 'Glaserei Weber', iban: 'DE89370400440532013000', bic: null };
    const pay = (amount: number) =>
      handle.executeUpdate(requestPaymentUpdate, {
        args: [
          {
            actor: actor(team.adjuster),
            paymentId: crypto.randomUUID(),
            costType: 'indemnity',
            category: 'other',
            amount,
            currency: 'USD',
            payee,
          },
        ],
      });
    // Under this tenant's new-payee threshold, the glazier is paid alone within the adjuster's limit (docs/claim-money.md, Authority).
    await TenantSettings.upsert({ tenantId: team.tenant.id, values: { newPayeeApprovalThreshold: 5000 } });
    const issued = await pay(1500);
    const undecided = await pay(1000);
    expect([issued.payment.status, undecided.payment.status]).toEqual(['approved', 'approved']);
    // A batch issues the first, as POST /payment-batches does: the row, then the signal the outbox delivers.
    await ClaimPayment.update({ status: 'issued', issuedAt: new Date() }, { where: { id: issued.payment.id } });
    await handle.signal(paymentSettledSignal, { paymentId: issued.payment.id, status: 'issued' });

    await stack.skip('30 days', handle);
    // Money has left: the claim is not denied (as a person's denial is refused, 409 money_paid), and the people who decide it hear why.
    const withheld = `Claim ${claimNumber} was not denied`;
    const [toHandler] = await Promise.all([mailTo(team.adjuster, withheld), mailTo(team.manager, withheld)]);
    expect(toHandler.text).toContain(`The documents of claim ${claimNumber} were requested 30 days ago and have not arrived`);
    expect(await handle.query(claimStateQuery)).toMatchObject({ stage: 'documents_requested', denialReason: null, nextDeadline: null });
    const claim = await Claim.findOne({ where: { workflowId: handle.workflowId }, rejectOnEmpty: true });
    expect(claim).toMatchObject({ status: 'documents_requested', denialReason: null });
    expect(await ClaimHistory.count({ where: { claimId: claim.id, toStatus: 'denied' } })).toBe(0);
    // Nothing voided, nothing released: the payments and the line stay as the adjuster left them.
    expect((await ClaimPayment.findByPk(undecided.payment.id, { rejectOnEmpty: true })).status).toBe('approved');
    expect((await ClaimReserveLine.findOne({ where: { claimId: claim.id }, rejectOnEmpty: true })).amount).toBe('1500.00');
    expect(smtp.messages.filter((m) => m.subject.includes(`${claimNumber} is denied`))).toEqual([]);
    await recordHistory(handle, 'claimWorkflow-denial-withheld');
    await stack.terminate(handle);
  });

  it('an upload while documents are requested returns the claim to review and stops its timers', async () => {
    const handle = await claimAt(['assigned', 'under_review', 'documents_requested']);
    const { claimNumber } = await handle.query(claimStateQuery);
    await stack.skip('3 days', handle);
    await handle.signal(documentUploadedSignal, { documentId: 'doc-1', fileName: 'invoice.pdf', uploadedById: team.claimant.id });
    await mailTo(team.adjuster, `Documents received for claim ${claimNumber}`);
    const state = await handle.query(claimStateQuery);
    expect(state).toMatchObject({ stage: 'under_review', nextDeadline: null });
    expect(state.history.at(-1)).toMatchObject({ from: 'documents_requested', to: 'under_review', actorId: team.claimant.id });

    await stack.skip('30 days', handle);
    expect((await handle.query(claimStateQuery)).stage).toBe('under_review');
    expect(smtp.messages.some((m) => m.subject.includes(`Reminder: documents needed for claim ${claimNumber}`))).toBe(false);
    await stack.terminate(handle);
  });

  it('takes a document signal delivered twice once, even after documents are requested again', async () => {
    const handle = await claimAt(['assigned', 'under_review', 'documents_requested']);
    const { claimNumber } = await handle.query(claimStateQuery);
    const upload = { documentId: 'doc-1', fileName: 'invoice.pdf', uploadedById: team.claimant.id };
    await handle.signal(documentUploadedSignal, upload);
    await handle.signal(documentUploadedSignal, upload);
    await mailTo(team.adjuster, `Documents received for claim ${claimNumber}`);
    await move(handle, { actor: actor(team.adjuster), to: 'documents_requested', note: 'The invoice is unreadable' });
    // The outbox delivering the first upload once more must not pass for the document asked for now.
    await handle.signal(documentUploadedSignal, upload);
    const state = await handle.query(claimStateQuery);
    await recordHistory(handle, 'claimWorkflow-repeated-document');
    expect(state.stage).toBe('documents_requested');
    expect(state.documentIds).toEqual(['doc-1']);
    expect(state.history.filter((entry) => entry.to === 'under_review' && entry.from === 'documents_requested')).toHaveLength(1);
    await stack.terminate(handle);
  });

  describe('approval authority and separation of duties', () => {
    it('lets an adjuster approve up to 5,000 on their own claim', async () => {
      const handle = await claimAt(TO_WAITING_APPROVAL, 5000);
      await move(handle, { actor: actor(team.adjuster), to: 'approved' });
      expect(await resultOf(handle)).toMatchObject({ outcome: 'paid', amountPaid: 5000 });
    });

    it('refuses the assigned adjuster above 5,000 and a senior adjuster above 25,000; a claims manager has no limit', async () => {
      const handle = await claimAt(TO_WAITING_APPROVAL, 30_000);
      const byAssignee = await rejectionOf(move(handle, { actor: actor(team.adjuster), to: 'approved', approvedAmount: 5000.01 }));
      expect(byAssignee.type).toBe('Forbidden');
      const bySenior = await rejectionOf(move(handle, { actor: actor(team.senior), to: 'approved', approvedAmount: 25_000.01 }));
      expect(bySenior).toMatchObject({
        type: 'Forbidden',
        details: [[expect.objectContaining({ rule: 'approval_authority', limit: 25_000 })]],
      });
      const byOtherAdjuster = await rejectionOf(move(handle, { actor: actor(team.otherAdjuster), to: 'approved', approvedAmount: 100 }));
      expect(byOtherAdjuster.type).toBe('Forbidden');
      expect((await handle.query(claimStateQuery)).stage).toBe('waiting_approval');

      await move(handle, { actor: actor(team.manager), to: 'approved' });
      expect(await resultOf(handle)).toMatchObject({ outcome: 'paid', amountPaid: 30_000 });
    });

    it('lets a senior adjuster approve 25,000 when someone else handles the claim', async () => {
      const handle = await claimAt(TO_WAITING_APPROVAL, 25_000);
      await move(handle, { actor: actor(team.senior), to: 'approved' });
      expect(await resultOf(handle)).toMatchObject({ outcome: 'paid', amountPaid: 25_000 });
    });

    it('never lets the assigned senior adjuster approve above the adjuster limit, nor the claimant their own claim', async () => {
      const handle = await claimAt(TO_WAITING_APPROVAL, 10_000, team.senior);
      const byAssignee = await rejectionOf(move(handle, { actor: actor(team.senior), to: 'approved' }));
      expect(byAssignee).toMatchObject({ type: 'Forbidden', details: [[expect.objectContaining({ rule: 'separation_of_duties' })]] });

      // A claims manager insured with the company files a claim of their own.
      const ownClaim = await fileClaim(2000, team.manager);
      await assign(ownClaim, team.adjuster, team.senior);
      await move(ownClaim, { actor: actor(team.adjuster), to: 'under_review' });
      await move(ownClaim, { actor: actor(team.adjuster), to: 'waiting_approval' });
      const byClaimant = await rejectionOf(move(ownClaim, { actor: actor(team.manager), to: 'approved' }));
      expect(byClaimant).toMatchObject({ type: 'OwnClaim', details: [[expect.objectContaining({ rule: 'separation_of_duties' })]] });
      expect((await ownClaim.query(claimStateQuery)).stage).toBe('waiting_approval');
      await Promise.all([stack.terminate(handle), stack.terminate(ownClaim)]);
    });

    it('does not let a handler approve after reassigning the claim away, nor whoever asked for approval', async () => {
      const handle = await claimAt(TO_WAITING_APPROVAL, 10_000, team.senior);
      await assign(handle, team.adjuster, team.senior);
      const afterReassigning = await rejectionOf(move(handle, { actor: actor(team.senior), to: 'approved' }));
      expect(afterReassigning).toMatchObject({ type: 'Forbidden', details: [[expect.objectContaining({ rule: 'separation_of_duties' })]] });

      const requested = await claimAt(['assigned', 'under_review'], 10_000, team.adjuster);
      await move(requested, { actor: actor(team.manager), to: 'waiting_approval' });
      const byRequester = await rejectionOf(move(requested, { actor: actor(team.manager), to: 'approved' }));
      expect(byRequester).toMatchObject({ type: 'Forbidden', details: [[expect.objectContaining({ rule: 'separation_of_duties' })]] });
      // Updates answer compact state; the history lives in claim_history and the state query.
      const approved = await move(handle, { actor: actor(team.manager), to: 'approved' });
      expect(approved).toMatchObject({ amountApproved: 10_000, historyLength: expect.any(Number) });
      expect(approved).not.toHaveProperty('history');
      // A second person may: the senior adjuster neither handled `requested` nor asked for its approval.
      await move(requested, { actor: actor(team.senior), to: 'approved' });
      await expect(Promise.all([resultOf(handle), resultOf(requested)])).resolves.toEqual([
        expect.objectContaining({ outcome: 'paid', amountPaid: 10_000 }),
        expect.objectContaining({ outcome: 'paid', amountPaid: 10_000 }),
      ]);
    });

    it('asks a second person to approve a claim its approver assigned to themselves, and waits for them', async () => {
      const handle = await fileClaim(1000);
      await assign(handle, team.senior, team.senior);
      await move(handle, { actor: actor(team.senior), to: 'under_review' });
      await move(handle, { actor: actor(team.senior), to: 'waiting_approval' });
      const alone = await rejectionOf(move(handle, { actor: actor(team.senior), to: 'approved', approvedAmount: 10 }));
      expect(alone).toMatchObject({
        type: 'SecondApproverRequired',
        details: [[expect.objectContaining({ rule: 'separation_of_duties' })]],
      });
      expect(await handle.query(claimStateQuery)).toMatchObject({
        stage: 'waiting_approval',
        amountApproved: null,
        nextDeadline: { action: 'approval_escalation' },
      });

      await move(handle, { actor: actor(team.manager), to: 'approved' });
      expect(await resultOf(handle)).toMatchObject({ outcome: 'paid', amountPaid: 1000 });
      expect((await historyOf(handle)).filter(([, to]) => to === 'approved')).toHaveLength(1);
      await recordHistory(handle, 'claimWorkflow-second-approver');
    });

    it('refuses an approval that would take the subscription past its coverage and leaves run and row as they were', async () => {
      const subscription = await buildSubscription({ policyholderId: team.claimant.id, coverageAmount: '6000.00' });
      const first = await fileClaim(4000, team.claimant, subscription.id);
      const second = await fileClaim(3000, team.claimant, subscription.id);
      for (const handle of [first, second]) {
        await assign(handle, team.adjuster);
        await move(handle, { actor: actor(team.adjuster), to: 'under_review' });
        await move(handle, { actor: actor(team.adjuster), to: 'waiting_approval' });
      }
      await move(first, { actor: actor(team.adjuster), to: 'approved' });
      const before = await second.query(claimStateQuery);
      const rowsBefore = await historyOf(second);

      const over = await rejectionOf(move(second, { actor: actor(team.adjuster), to: 'approved' }));
      expect(over).toMatchObject({
        type: 'CoverageExceeded',
        details: [[expect.objectContaining({ field: 'approvedAmount', coverage: 6000, available: 2000 })]],
      });
      expect(await second.query(claimStateQuery)).toEqual(before);
      expect(await historyOf(second)).toEqual(rowsBefore);
      expect(await Claim.findOne({ where: { workflowId: second.workflowId } })).toMatchObject({
        status: 'waiting_approval',
        amountApproved: null,
      });

      // What is left of the coverage may still be approved.
      await move(second, { actor: actor(team.adjuster), to: 'approved', approvedAmount: 2000 });
      await expect(Promise.all([resultOf(first), resultOf(second)])).resolves.toEqual([
        expect.objectContaining({ outcome: 'paid', amountPaid: 4000 }),
        expect.objectContaining({ outcome: 'paid', amountPaid: 2000 }),
      ]);
      await recordHistory(second, 'claimWorkflow-coverage-exceeded');
    });
  });

  it('pays exactly once when the payment activity fails after writing the payment', async () => {
    const handle = await claimAt(TO_WAITING_APPROVAL, 800);
    paymentFailuresLeft = 1;
    await move(handle, { actor: actor(team.adjuster), to: 'approved' });
    expect(await resultOf(handle)).toMatchObject({ outcome: 'paid', amountPaid: 800 });
    expect(paymentFailuresLeft).toBe(0);
    const claim = await Claim.findOne({ where: { workflowId: handle.workflowId } });
    expect(await ClaimPayment.count({ where: { claimId: claim!.id } })).toBe(1);
    expect(await ClaimHistory.count({ where: { claimId: claim!.id, toStatus: 'paid' } })).toBe(1);
    await mailTo(team.claimant, `Claim ${claim!.claimNumber} is paid`);
    expect(smtp.messages.filter((m) => m.subject === `Claim ${claim!.claimNumber} is paid`)).toHaveLength(1);
  });

  const PATH_TO: Record<string, ClaimStage[]> = {
    reported: [],
    assigned: ['assigned'],
    under_review: ['assigned', 'under_review'],
    investigation: ['assigned', 'under_review', 'investigation'],
    documents_requested: ['assigned', 'under_review', 'documents_requested'],
    waiting_approval: TO_WAITING_APPROVAL,
  };

  it.each(OPEN_STAGES)('refuses every illegal move from %s and changes nothing', async (from) => {
    const handle = await claimAt(PATH_TO[from]);
    const before = await handle.query(claimStateQuery);
    const rowsBefore = await historyOf(handle);
    expect(before.stage).toBe(from);

    const illegal = CLAIM_STAGES.filter((to) => !DECISION_MOVES[from].includes(to));
    for (const to of illegal) {
      const failure = await rejectionOf(move(handle, { actor: actor(team.manager), to, reason: 'any' }));
      expect(failure).toMatchObject({
        type: 'InvalidTransition',
        details: [[expect.objectContaining({ from, allowed: DECISION_MOVES[from] })]],
      });
    }
    const after = await handle.query(claimStateQuery);
    expect(after).toEqual(before);
    expect(await historyOf(handle)).toEqual(rowsBefore);
    expect((await Claim.findOne({ where: { workflowId: handle.workflowId } }))?.status).toBe(from);
    await stack.terminate(handle);
  });
});
