/**
 * The price of a policy change (docs/subscriptions.md, Policy changes) against an independent
 * computation: the days are counted by stepping a calendar day at a time, and the rounded delta is
 * checked by its defining inequality in BigInt, (k − 1) × D < (after − before) × R ≤ k × D, rather
 * than by dividing again.
 */
import fc from 'fast-check';
import { changeInstalments, priceChange } from '../../../src/domain/subscriptions/changes/pricing';
import { addMonths } from '../../../src/shared/instalments';

/** Days from `from` to `to` by stepping a local calendar, one day at a time. */
function daysBetween(from: string, to: string): number {
  const [year, month, day] = from.split('-').map(Number);
  const cursor = new Date(year, month - 1, day, 12);
  let days = 0;
  const text = () =>
    `${cursor.getFullYear()}-${String(cursor.getMonth() + 1).padStart(2, '0')}-${String(cursor.getDate()).padStart(2, '0')}`;
  while (text() < to) {
    cursor.setDate(cursor.getDate() + 1);
    days += 1;
  }
  return days;
}

const MAX_PREMIUM_MINOR = 10 ** 12 - 1; // numeric(12, 2)

/** A term of 1 to 36 months from a day between 2020 and 2040, and a day in it. */
const termArb = fc
  .record({
    start: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true }),
    months: fc.integer({ min: 1, max: 36 }),
    offset: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  })
  .map(({ start, months, offset }) => {
    const termStart = start.toISOString().slice(0, 10);
    const termEnd = addMonths(termStart, months);
    const days = daysBetween(termStart, termEnd);
    const effective = new Date(Date.parse(`${termStart}T00:00:00Z`) + Math.floor(offset * days) * 86_400_000);
    return { termStart, termEnd, effectiveDate: effective.toISOString().slice(0, 10) };
  });

const premiumArb = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: MAX_PREMIUM_MINOR }));

describe('priceChange', () => {
  it('is the difference of the premiums for the rest of the term, pro rata to the day, rounded up (property)', () => {
    fc.assert(
      fc.property(termArb, premiumArb, premiumArb, (term, before, after) => {
        const delta = priceChange({ ...term, premiumBeforeMinor: before, premiumAfterMinor: after });
        const termDays = BigInt(daysBetween(term.termStart, term.termEnd));
        const restDays = BigInt(daysBetween(term.effectiveDate, term.termEnd));
        const exact = (BigInt(after) - BigInt(before)) * restDays; // the delta times termDays
        const k = BigInt(delta);
        expect(Number.isSafeInteger(delta)).toBe(true);
        expect((k - 1n) * termDays < exact && exact <= k * termDays).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('rounds in the insurer’s favour both ways: the additional premium up, the return premium down (never above the exact share)', () => {
    fc.assert(
      fc.property(termArb, premiumArb, premiumArb, (term, a, b) => {
        const up = priceChange({ ...term, premiumBeforeMinor: a, premiumAfterMinor: b });
        const down = priceChange({ ...term, premiumBeforeMinor: b, premiumAfterMinor: a });
        // The two directions differ by at most the one minor unit of rounding, and the return is the smaller.
        expect(up + down === 0 || up + down === 1).toBe(true);
      }),
    );
  });

  it('charges the whole difference from the first day and nothing when the premium stays', () => {
    fc.assert(
      fc.property(termArb, premiumArb, premiumArb, (term, before, after) => {
        expect(priceChange({ ...term, effectiveDate: term.termStart, premiumBeforeMinor: before, premiumAfterMinor: after })).toBe(
          after - before,
        );
        expect(priceChange({ ...term, premiumBeforeMinor: before, premiumAfterMinor: before })).toBe(0);
      }),
    );
  });

  it('worked example of docs/subscriptions.md: 300.00 → 420.00 from 2026-10-01 in the term 2026-03-01..2027-03-01', () => {
    const terms = { termStart: '2026-03-01', termEnd: '2027-03-01', effectiveDate: '2026-10-01' };
    // 12000 × 151 / 365 = 4964.38… → 4965 (49.65); the way back -4964.38… → -4964 (-49.64).
    expect(priceChange({ ...terms, premiumBeforeMinor: 30_000, premiumAfterMinor: 42_000 })).toBe(4965);
    expect(priceChange({ ...terms, premiumBeforeMinor: 42_000, premiumAfterMinor: 30_000 })).toBe(-4964);
  });

  it('refuses an effective date outside the term', () => {
    const terms = { termStart: '2026-03-01', termEnd: '2027-03-01', premiumBeforeMinor: 1, premiumAfterMinor: 2 };
    expect(() => priceChange({ ...terms, effectiveDate: '2027-03-01' })).toThrow(RangeError);
    expect(() => priceChange({ ...terms, effectiveDate: '2026-02-28' })).toThrow(RangeError);
  });
});

describe('changeInstalments', () => {
  const dueDates = ['2026-03-01', '2026-06-01', '2026-09-01', '2026-12-01'];

  it('spreads the delta over the unpaid instalments due from the effective date on, adding up to it exactly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_PREMIUM_MINOR, max: MAX_PREMIUM_MINOR }), fc.subarray(dueDates), (delta, unpaid) => {
        const instalments = changeInstalments({
          deltaMinor: delta,
          effectiveDate: '2026-05-15',
          today: '2026-05-20',
          billing: 'next_instalments',
          unpaidDueDates: unpaid,
          minimumMinor: 1,
        });
        expect(instalments.reduce((sum, instalment) => sum + instalment.amountMinor, 0)).toBe(delta);
        for (const instalment of instalments) expect(Math.sign(instalment.amountMinor)).toBe(Math.sign(delta));
        const later = unpaid.filter((date) => date >= '2026-05-15');
        if (delta !== 0 && later.length === 0) expect(instalments).toEqual([{ dueDate: '2026-05-20', amountMinor: delta }]);
        if (later.length > 0) expect(instalments.every((instalment) => later.includes(instalment.dueDate))).toBe(true);
      }),
    );
  });

  it('puts the remainder on the first instalment, as a premium is cut', () => {
    const common = {
      effectiveDate: '2026-05-15',
      today: '2026-05-01',
      billing: 'next_instalments',
      unpaidDueDates: dueDates,
      minimumMinor: 1,
    } as const;
    expect(changeInstalments({ ...common, deltaMinor: 4965 })).toEqual([
      { dueDate: '2026-06-01', amountMinor: 1655 },
      { dueDate: '2026-09-01', amountMinor: 1655 },
      { dueDate: '2026-12-01', amountMinor: 1655 },
    ]);
    expect(changeInstalments({ ...common, deltaMinor: -4964 })).toEqual([
      { dueDate: '2026-06-01', amountMinor: -1656 },
      { dueDate: '2026-09-01', amountMinor: -1654 },
      { dueDate: '2026-12-01', amountMinor: -1654 },
    ]);
    // Fewer minor units than instalments: shares of zero are not credited, and an additional premium goes on as many as it fills.
    expect(changeInstalments({ ...common, deltaMinor: -2 })).toEqual([{ dueDate: '2026-06-01', amountMinor: -2 }]);
    expect(changeInstalments({ ...common, deltaMinor: 2 })).toEqual([
      { dueDate: '2026-06-01', amountMinor: 1 },
      { dueDate: '2026-09-01', amountMinor: 1 },
    ]);
  });

  it('bills no share below the smallest card payment: a small additional premium goes on fewer instalments; credits are spread whole', () => {
    const common = { effectiveDate: '2026-05-15', today: '2026-05-01', billing: 'next_instalments', unpaidDueDates: dueDates } as const;
    // 1.20 over three instalments would be 0.40 each, below 0.50: two of 0.60.
    expect(changeInstalments({ ...common, deltaMinor: 120, minimumMinor: 50 })).toEqual([
      { dueDate: '2026-06-01', amountMinor: 60 },
      { dueDate: '2026-09-01', amountMinor: 60 },
    ]);
    expect(changeInstalments({ ...common, deltaMinor: 99, minimumMinor: 50 })).toEqual([{ dueDate: '2026-06-01', amountMinor: 99 }]);
    expect(changeInstalments({ ...common, deltaMinor: -120, minimumMinor: 50 })).toEqual([
      { dueDate: '2026-06-01', amountMinor: -40 },
      { dueDate: '2026-09-01', amountMinor: -40 },
      { dueDate: '2026-12-01', amountMinor: -40 },
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 50, max: MAX_PREMIUM_MINOR }), fc.integer({ min: 1, max: 5000 }), (delta, minimum) => {
        fc.pre(delta >= minimum);
        const instalments = changeInstalments({ ...common, deltaMinor: delta, minimumMinor: minimum });
        expect(instalments.reduce((sum, instalment) => sum + instalment.amountMinor, 0)).toBe(delta);
        for (const instalment of instalments) expect(instalment.amountMinor).toBeGreaterThanOrEqual(minimum);
      }),
    );
  });

  it('own_invoice: one amount due on the effective date, or today when that has passed; nothing for no delta', () => {
    const common = { billing: 'own_invoice', unpaidDueDates: dueDates, minimumMinor: 50 } as const;
    expect(changeInstalments({ ...common, deltaMinor: 100, effectiveDate: '2026-07-01', today: '2026-05-01' })).toEqual([
      { dueDate: '2026-07-01', amountMinor: 100 },
    ]);
    expect(changeInstalments({ ...common, deltaMinor: -100, effectiveDate: '2026-04-01', today: '2026-05-01' })).toEqual([
      { dueDate: '2026-05-01', amountMinor: -100 },
    ]);
    expect(changeInstalments({ ...common, deltaMinor: 0, effectiveDate: '2026-07-01', today: '2026-05-01' })).toEqual([]);
  });
});
