/** The claim state machine and approval rules as a pure function, over every (from, to) pair. */
import { ApplicationFailure } from '@temporalio/common';
import type { Role } from '../../src/shared/roles';
import { CLAIM_STAGES, ClaimStage } from '../../src/contracts/claim';
import { approvalLimitOf, checkTransition, ClaimFacts, DECISION_MOVES } from '../../src/workflows/claim-rules';
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
  assignmentCount: 1,
  historyLength: 3,
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
    expect(failure).toMatchObject({ type: 'InvalidTransition', nonRetryable: true, details: [[expect.objectContaining({ from, allowed: DECISION_MOVES[from] })]] });
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
});
