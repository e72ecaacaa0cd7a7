/** The claim state machine and approval rules as a pure function, over every (from, to) pair. */
import { ApplicationFailure } from '@temporalio/common';
import type { Role } from '../../src/shared/roles';
import { CLAIM_STAGES, ClaimStage } from '../../src/contracts/claim';
import { businessFailureDetails } from '../../src/shared/business-errors';
import { checkApprover, limitOf, secondPersonFor } from '../../src/shared/claim-authority';
import { checkAssignment } from '../../src/workflows/claim/assignment';
import type { ClaimFacts } from '../../src/workflows/claim/facts';
import { checkTransition, DECISION_MOVES } from '../../src/workflows/claim/transitions';
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
    ['claims_agent', 0],
    ['policyholder', 0],
  ] as const)('gives a %s an approval limit of %s, for claims and payments alike', (role, limit) => {
    expect(limitOf('claim', role, CLAIM_SETTINGS)).toBe(limit);
    expect(limitOf('payment', role, CLAIM_SETTINGS)).toBe(limit);
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

describe('the one authority rule of reserves and payments (secondPersonFor, checkApprover)', () => {
  const adjuster = { id: 'adjuster', role: 'adjuster' as Role };
  const refusal = (act: () => void) => {
    try {
      act();
    } catch (err) {
      return businessFailureDetails(err as ApplicationFailure)[0];
    }
    throw new Error('not refused');
  };

  it('lets a person act alone only while every total stays within its limit', () => {
    const totals = (claimTotal: number) => [
      { scope: 'request' as const, total: 5000, limit: 5000 },
      { scope: 'claim' as const, total: claimTotal, limit: 5000 },
    ];
    expect(secondPersonFor({ role: 'adjuster', amount: 5000, totals: totals(5000) })).toBeNull();
    expect(secondPersonFor({ role: 'adjuster', amount: 5000, totals: totals(10_000) })).toEqual({ rule: 'claim_authority' });
    expect(secondPersonFor({ role: 'adjuster', amount: 100, totals: [{ scope: 'period', total: 50_000.01, limit: 50_000 }] })).toEqual({
      rule: 'period_authority',
    });
  });

  it('asks a second person for a new payee above the threshold, and a claims manager beyond the amount claimed', () => {
    expect(secondPersonFor({ role: 'claims_manager', amount: 1000.01, totals: [], newPayee: { threshold: 1000 } })).toEqual({
      rule: 'new_payee',
    });
    expect(secondPersonFor({ role: 'adjuster', amount: 1000, totals: [], newPayee: { threshold: 1000 } })).toBeNull();
    expect(secondPersonFor({ role: 'senior_adjuster', amount: 1, totals: [], beyondClaimed: true })).toEqual({
      rule: 'beyond_claimed',
      roles: ['claims_manager'],
    });
    expect(secondPersonFor({ role: 'claims_manager', amount: 1, totals: [], beyondClaimed: true })).toBeNull();
  });

  it('never lets the asker approve, asks for the roles named, then for authority over the amount', () => {
    const senior = { id: 'senior', role: 'senior_adjuster' as Role };
    expect(refusal(() => checkApprover('payment', CLAIM_SETTINGS, adjuster, { requestedById: 'adjuster', amount: 1 }))).toMatchObject({
      rule: 'separation_of_duties',
    });
    const asked = { requestedById: 'adjuster', amount: 100, roles: ['claims_manager' as Role] };
    expect(refusal(() => checkApprover('payment', CLAIM_SETTINGS, senior, asked))).toMatchObject({ rule: 'manager_required' });
    expect(() => checkApprover('payment', CLAIM_SETTINGS, manager, asked)).not.toThrow();
    expect(refusal(() => checkApprover('reserve', CLAIM_SETTINGS, senior, { requestedById: 'adjuster', amount: 50_000.01 }))).toMatchObject(
      { rule: 'reserve_authority', limit: 50_000 },
    );
  });
});
