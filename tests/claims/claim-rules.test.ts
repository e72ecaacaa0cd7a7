/** The claim state machine and approval rules as a pure function, over every (from, to) pair. */
import { ApplicationFailure } from '@temporalio/common';
import type { Role } from '../../src/shared/roles';
import { CLAIM_STAGES, ClaimStage } from '../../src/contracts/claim';
import { approvalLimitOf, checkAssignment, checkTransition, ClaimFacts, DECISION_MOVES } from '../../src/workflows/claim-rules';
import { CLAIM_SETTINGS } from './fixtures';

const manager = { id: 'manager', role: 'claims_manager' as Role };
const facts = (stage: ClaimStage, amountClaimed = 1000): ClaimFacts => ({
  stage,
  claimantId: 'claimant',
  assigneeId: 'adjuster',
  amountClaimed,
  settings: CLAIM_SETTINGS,
  pastAssigneeIds: ['adjuster'],
  approvalRequestedBy: [],
  selfAssignedBy: [],
  decisionPending: false,
  assignmentCount: 1,
  historyLength: 3,
  paymentsUndecided: false,
  amountPaidInPart: 0,
});

function failureOf(fn: () => void): ApplicationFailure | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err as ApplicationFailure;
  }
}

describe('claim rules', () => {
  const pairs = CLAIM_STAGES.flatMap((from) => CLAIM_STAGES.map((to) => [from, to] as const));
  const illegal = pairs.filter(([from, to]) => !DECISION_MOVES[from].includes(to));
  const legal = pairs.filter(([from, to]) => DECISION_MOVES[from].includes(to));

  it.each(illegal)('refuses %s → %s with the allowed next stages', (from, to) => {
    const failure = failureOf(() => checkTransition(facts(from), { actor: manager, to, reason: 'r' }));
    expect(failure).toMatchObject({
      type: 'InvalidTransition',
      nonRetryable: true,
      details: [[expect.objectContaining({ from, allowed: DECISION_MOVES[from] })]],
    });
  });

  it.each(legal)('lets a claims manager move %s → %s', (from, to) => {
    expect(failureOf(() => checkTransition(facts(from), { actor: manager, to, reason: 'r' }))).toBeUndefined();
  });

  it('has no decision moves out of the stages the workflow drives itself', () => {
    for (const stage of ['approved', 'denied', 'payment_processing', 'paid', 'closed'] as const) expect(DECISION_MOVES[stage]).toEqual([]);
  });

  it.each([
    ['adjuster', 5000],
    ['senior_adjuster', 25_000],
    ['claims_manager', Number.POSITIVE_INFINITY],
    ['claims_agent', undefined],
    ['policyholder', undefined],
  ] as const)('gives a %s an approval limit of %s', (role, limit) => {
    expect(approvalLimitOf(role, CLAIM_SETTINGS)).toBe(limit);
  });

  it('applies the limits of the tenant settings', () => {
    const settings = { ...CLAIM_SETTINGS, approvalLimitSeniorAdjuster: 1000 };
    const senior = { id: 'senior', role: 'senior_adjuster' as Role };
    const claim = { ...facts('waiting_approval', 2000), settings };
    expect(failureOf(() => checkTransition(claim, { actor: senior, to: 'approved', approvedAmount: 1000 }))).toBeUndefined();
    expect(failureOf(() => checkTransition(claim, { actor: senior, to: 'approved' }))).toMatchObject({ type: 'Forbidden' });
  });

  describe('separation of duties', () => {
    const senior = { id: 'senior', role: 'senior_adjuster' as Role };
    const selfAssigned = {
      ...facts('waiting_approval', 1000),
      assigneeId: 'senior',
      pastAssigneeIds: ['senior'],
      selfAssignedBy: ['senior'],
    };

    it('never lets the claimant assign, move or be assigned their own claim', () => {
      const claimantStaff = { ...facts('under_review'), claimantId: 'senior' };
      const own = { type: 'OwnClaim', details: [[expect.objectContaining({ rule: 'separation_of_duties' })]] };
      expect(failureOf(() => checkTransition(claimantStaff, { actor: senior, to: 'investigation' }))).toMatchObject(own);
      expect(
        failureOf(() => checkAssignment(claimantStaff, { actor: senior, assigneeId: 'adjuster-2', assigneeRole: 'adjuster' })),
      ).toMatchObject(own);
      expect(
        failureOf(() =>
          checkAssignment(facts('under_review'), { actor: manager, assigneeId: 'claimant', assigneeRole: 'senior_adjuster' }),
        ),
      ).toMatchObject(own);
    });

    it('asks for a second approver when the approver assigned the claim to themselves, even well below their limit', () => {
      expect(failureOf(() => checkTransition(selfAssigned, { actor: senior, to: 'approved', approvedAmount: 1 }))).toMatchObject({
        type: 'SecondApproverRequired',
      });
      expect(failureOf(() => checkTransition(selfAssigned, { actor: manager, to: 'approved' }))).toBeUndefined();
      // Moving the claim along stays theirs to do; only the approval needs another person.
      expect(failureOf(() => checkTransition(selfAssigned, { actor: senior, to: 'under_review' }))).toBeUndefined();
    });

    it('refuses any decision while an approval is being recorded', () => {
      const pending = { ...facts('waiting_approval'), decisionPending: true };
      expect(failureOf(() => checkTransition(pending, { actor: manager, to: 'denied', reason: 'r' }))).toMatchObject({ type: 'Conflict' });
      expect(
        failureOf(() => checkAssignment(pending, { actor: manager, assigneeId: 'adjuster-2', assigneeRole: 'adjuster' })),
      ).toMatchObject({ type: 'Conflict' });
    });
  });
});
