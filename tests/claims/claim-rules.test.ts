/** The claim state machine and approval rules as a pure function, over every (from, to) pair. */
import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import type { Role } from '../../src/shared/roles';
import crypto from 'node:crypto';
import { CLAIM_STAGES, ClaimStage } from '../../src/contracts/claim';
import { COST_TYPES, RESERVE_CATEGORIES } from '../../src/contracts/claim-reserves';
import { settlementChangeIds, settlementReserveChanges } from '../../src/domain/claims/settlement-reserves';
import { businessFailureDetails } from '../../src/shared/business-errors';
import { checkApprover, limitOf, secondPersonFor } from '../../src/access/verbs/claim-authority';
import { claimAmountDifference, claimThousandths, compareClaimAmounts, formatClaimAmount, sumClaimAmounts } from '../../src/shared/money';
import { EXACT } from '../../src/workflows/claim/arithmetic';
import { checkAssignment } from '../../src/workflows/claim/assignment';
import type { ClaimFacts } from '../../src/workflows/claim/facts';
import { checkPaymentRequest, type PaymentFacts } from '../../src/workflows/claim/payments';
import { checkReserveChange } from '../../src/workflows/claim/reserves';
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
  recordingMoney: false,
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

    it('refuses an approval while a change of the claim’s money is being recorded: the settlement would take its part beneath it', () => {
      const recording = { ...facts('waiting_approval'), recordingMoney: true };
      expect(failureOf(() => checkTransition(recording, { actor: manager, to: 'approved' }))).toMatchObject({
        type: 'Conflict',
        details: [[expect.objectContaining({ rule: 'money_recording' })]],
      });
      expect(failureOf(() => checkTransition(recording, { actor: manager, to: 'denied', reason: 'r' }))).toBeUndefined();
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

describe('the claim run’s money arithmetic: exact to the hundredth (src/shared/money.ts, workflows/claim/arithmetic.ts)', () => {
  // Amounts as the API hands them to the run: the number a decimal string of up to 99,999,999.99 parses to.
  const cents = fc.bigInt({ min: 0n, max: 9_999_999_999n });
  const decimal = (value: bigint) =>
    `${value < 0n ? '-' : ''}${(value < 0n ? -value : value) / 100n}.${String((value < 0n ? -value : value) % 100n).padStart(2, '0')}`;
  const numberOf = (value: bigint) => Number(decimal(value));
  const runs = { numRuns: 2000 };

  it('adds as integer cents do: the sum is the number the decimal of the BigInt sum parses to', () => {
    fc.assert(
      fc.property(fc.array(cents, { maxLength: 60 }), (amounts) => {
        const exact = amounts.reduce((sum, amount) => sum + amount, 0n);
        expect(sumClaimAmounts(amounts.map(numberOf))).toBe(numberOf(exact));
        expect(EXACT.sum(amounts.map(numberOf))).toBe(numberOf(exact));
      }),
      runs,
    );
  });

  it('subtracts payment after payment off a line as cents do, where floats drift (700.00 - 0.10 - 0.20 = 699.70)', () => {
    expect(700 - 0.1 - 0.2).not.toBe(699.7);
    expect(claimAmountDifference(claimAmountDifference(700, 0.1), 0.2)).toBe(699.7);
    fc.assert(
      fc.property(cents, fc.array(cents, { maxLength: 50 }), (line, payments) => {
        let exact = line;
        let held = numberOf(line);
        let drifting = numberOf(line);
        for (const payment of payments) {
          exact -= payment;
          held = EXACT.difference(held, numberOf(payment));
          drifting -= numberOf(payment);
        }
        expect(held).toBe(numberOf(exact));
        // What a run that subtracted in floats holds is the same amount once read to the thousandth.
        expect(claimThousandths(drifting)).toBe(Number(exact) * 10);
      }),
      runs,
    );
  });

  it('writes an amount for an answer with its currency’s decimals, and limits with two', () => {
    expect([formatClaimAmount(1234.5, 'EUR'), formatClaimAmount(12000, 'JPY'), formatClaimAmount(1.25, 'KWD')]).toEqual([
      '1234.50',
      '12000',
      '1.250',
    ]);
    expect([formatClaimAmount(699.6999999999999, 'EUR'), formatClaimAmount(0, 'EUR'), formatClaimAmount(25000)]).toEqual([
      '699.70',
      '0.00',
      '25000.00',
    ]);
    // The API takes no yen with decimals; one would keep its decimals rather than lose them.
    expect([formatClaimAmount(12.5, 'JPY'), formatClaimAmount(12.505, 'EUR')]).toEqual(['12.50', '12.505']);
    // A dinar amount keeps its fils.
    expect([formatClaimAmount(1.255, 'KWD'), formatClaimAmount(699.6999999999999, 'KWD')]).toEqual(['1.255', '699.700']);
    fc.assert(
      fc.property(cents, (amount) => {
        expect(formatClaimAmount(numberOf(amount), 'EUR')).toBe(decimal(amount));
      }),
      runs,
    );
  });

  it('compares as cents do', () => {
    fc.assert(
      fc.property(cents, cents, (a, b) => {
        expect(Math.sign(compareClaimAmounts(numberOf(a), numberOf(b)))).toBe(a === b ? 0 : a < b ? -1 : 1);
      }),
      runs,
    );
  });

  it('lets a payment take exactly what its line holds after any payments before it, and not a cent more', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: 100_000n }), { minLength: 1, maxLength: 40 }), cents, (paid, rest) => {
        const line = paid.reduce((sum, amount) => sum + amount, rest);
        const held = paid.reduce((amount, payment) => EXACT.difference(amount, numberOf(payment)), numberOf(line));
        const facts = paymentFactsWith(held);
        const request = (amount: bigint) => ({ ...PAYMENT_REQUEST, amount: numberOf(amount) });
        if (rest > 0n) expect(() => checkPaymentRequest(facts, request(rest))).not.toThrow();
        expect(refusalOf(() => checkPaymentRequest(facts, request(rest + 1n)))).toMatchObject({ rule: 'reserve_exceeded' });
      }),
      { numRuns: 500 },
    );
  });

  it('takes no reserve change and no payment while an approval is being recorded, and no reserve change once the claim is approved', () => {
    const reserveRequest = {
      actor: { id: 'adjuster', role: 'adjuster' as Role },
      changeId: 'change',
      costType: 'indemnity' as const,
      category: 'repair' as const,
      amount: 50,
      reason: 'Estimate',
    };
    const open = { ...paymentFactsWith(100), changes: [] };
    expect(() => checkReserveChange(open, reserveRequest)).not.toThrow();
    expect(() => checkPaymentRequest(open, { ...PAYMENT_REQUEST, amount: 50 })).not.toThrow();
    const approving = { ...open, decisionPending: true };
    expect(refusalOf(() => checkReserveChange(approving, reserveRequest))).toMatchObject({ rule: 'decision_pending' });
    expect(refusalOf(() => checkPaymentRequest(approving, { ...PAYMENT_REQUEST, amount: 50 }))).toMatchObject({ rule: 'decision_pending' });
    for (const stage of ['approved', 'payment_processing', 'paid'] as const)
      expect(refusalOf(() => checkReserveChange({ ...open, stage }, reserveRequest))).toMatchObject({ field: 'status' });
  });

  const PAYMENT_REQUEST = {
    actor: { id: 'adjuster', role: 'adjuster' as Role },
    paymentId: 'payment',
    costType: 'indemnity' as const,
    category: 'repair' as const,
    amount: 0,
    currency: 'EUR',
    payee: { kind: 'claimant' as const, name: 'Jan de Vries', iban: 'NL91ABNA0417164300', bic: null },
  };
  const paymentFactsWith = (held: number): PaymentFacts => ({
    stage: 'under_review',
    claimantId: 'claimant',
    assigneeId: 'adjuster',
    settings: CLAIM_SETTINGS,
    reserves: [{ costType: 'indemnity', category: 'repair', amount: held }],
    payments: [],
    recording: false,
    decisionPending: false,
    amountClaimed: 100_000_000,
    paidByEarlierRuns: 0,
    cumulative: true,
    money: EXACT,
  });
  const refusalOf = (act: () => void) => {
    try {
      act();
    } catch (err) {
      return businessFailureDetails(err as ApplicationFailure)[0];
    }
    throw new Error('not refused');
  };
});

describe('what an approved claim’s settlement takes off its reserve lines (src/domain/claims/settlement-reserves.ts)', () => {
  const line = fc.record({
    costType: fc.constantFrom(...COST_TYPES),
    category: fc.constantFrom(...RESERVE_CATEGORIES),
    amount: fc.integer({ min: 0, max: 9_999_999_999 }).map((cents) => cents / 100),
  });
  // One line per cost type and category, as the table's key has it.
  const lines = fc.uniqueArray(line, { selector: (l) => `${l.costType}/${l.category}`, maxLength: 8 });
  const settlement = (cents: number) => ({
    paymentId: crypto.randomUUID(),
    reference: 'PAY-C-1',
    amount: cents / 100,
    at: new Date().toISOString(),
  });

  it('takes its amount off the indemnity lines, the first reserve’s line first, none below zero, at most what they hold', () => {
    fc.assert(
      fc.property(lines, fc.integer({ min: 1, max: 9_999_999_999 }), (held, cents) => {
        const changes = settlementReserveChanges(held, settlement(cents));
        const indemnity = held.filter((l) => l.costType === 'indemnity');
        const taken = changes.reduce((sum, c) => sum + claimThousandths(c.amountBefore) - claimThousandths(c.amount), 0);
        expect(taken).toBe(
          Math.min(
            cents * 10,
            indemnity.reduce((sum, l) => sum + claimThousandths(l.amount), 0),
          ),
        );
        for (const change of changes) {
          expect(change).toMatchObject({ costType: 'indemnity', status: 'payment' });
          expect(change.amount).toBeGreaterThanOrEqual(0);
          expect(change.amountBefore).toBe(indemnity.find((l) => l.category === change.category)!.amount);
        }
        // A later line is touched only once every one before it is spent, `other` first.
        expect(changes.slice(0, -1).every((change) => change.amount === 0)).toBe(true);
        const other = indemnity.find((l) => l.category === 'other');
        if (other && other.amount > 0) expect(changes[0].category).toBe('other');
      }),
      { numRuns: 1000 },
    );
  });

  it('names its changes after the settlement’s payment, so a retry finds them', () => {
    const paid = settlement(150_000);
    const changes = settlementReserveChanges([{ costType: 'indemnity', category: 'other', amount: 4000 }], paid);
    expect(changes.map((c) => [c.category, c.amountBefore, c.amount])).toEqual([['other', 4000, 2500]]);
    expect(settlementChangeIds(paid.paymentId)).toContain(changes[0].id);
  });
});
