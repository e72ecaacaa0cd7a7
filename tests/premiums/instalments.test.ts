/** The premium's instalments and money in minor units (pure; docs/premiums.md, Rounding). */
import { addMonths, instalmentsOf } from '../../src/shared/instalments';
import { formatMinorUnits, toMinorUnits } from '../../src/shared/money';
import { earnedPremium, proRataRefund } from '../../src/shared/refunds';

const sum = (amounts: Array<{ amountMinor: number }>) => amounts.reduce((total, { amountMinor }) => total + amountMinor, 0);

describe('instalments of a premium', () => {
  it('bills 100.00 monthly over a year as 12 instalments adding up to the cent, the remainder first', () => {
    const schedule = instalmentsOf({ premiumMinor: 10000, frequency: 'monthly', termStart: '2026-01-31', durationMonths: 12 });
    expect(schedule).toHaveLength(12);
    expect(sum(schedule)).toBe(10000);
    // 10000 / 12 = 833 rest 4: the first instalment carries the 4 cents.
    expect(schedule[0]).toEqual({ sequence: 1, dueDate: '2026-01-31', amountMinor: 837 });
    expect(schedule.slice(1).every(({ amountMinor }) => amountMinor === 833)).toBe(true);
    // Due dates are calendar months from the start, clamped to the month's end.
    expect(schedule.slice(1, 4).map(({ dueDate }) => dueDate)).toEqual(['2026-02-28', '2026-03-31', '2026-04-30']);
  });

  it.each([
    ['annual', 12, 1],
    ['semiannual', 12, 2],
    ['quarterly', 12, 4],
    ['monthly', 6, 6],
    ['annual', 18, 2],
    ['quarterly', 6, 2],
  ] as const)('%s over %i months has %i instalments that add up', (frequency, durationMonths, count) => {
    for (const premiumMinor of [1, 99, 100, 12345, 99999, 123456789]) {
      const schedule = instalmentsOf({ premiumMinor, frequency, termStart: '2026-03-15', durationMonths });
      expect(sum(schedule)).toBe(premiumMinor);
      expect(schedule.length).toBeLessThanOrEqual(count);
      if (premiumMinor >= count) expect(schedule).toHaveLength(count);
      // The first instalment is never the smaller; the others differ from it by less than the count.
      for (const { amountMinor } of schedule.slice(1)) {
        expect(amountMinor).toBeLessThanOrEqual(schedule[0].amountMinor);
        expect(schedule[0].amountMinor - amountMinor).toBeLessThan(count);
      }
    }
  });

  it('bills a 0.01 premium once, on the first due date, and a zero premium never', () => {
    expect(instalmentsOf({ premiumMinor: 1, frequency: 'monthly', termStart: '2026-05-01', durationMonths: 12 })).toEqual([
      { sequence: 1, dueDate: '2026-05-01', amountMinor: 1 },
    ]);
    // 0.11 over 12 months: 0.00 each and 0.11 first; nothing of zero is issued.
    expect(instalmentsOf({ premiumMinor: 11, frequency: 'monthly', termStart: '2026-05-01', durationMonths: 12 })).toHaveLength(1);
    expect(instalmentsOf({ premiumMinor: 12, frequency: 'monthly', termStart: '2026-05-01', durationMonths: 12 })).toHaveLength(12);
    expect(instalmentsOf({ premiumMinor: 0, frequency: 'annual', termStart: '2026-05-01', durationMonths: 12 })).toEqual([]);
  });

  it('refuses a premium that is not whole minor units', () => {
    expect(() => instalmentsOf({ premiumMinor: 10.5, frequency: 'annual', termStart: '2026-05-01', durationMonths: 12 })).toThrow(
      RangeError,
    );
    expect(() => instalmentsOf({ premiumMinor: -1, frequency: 'annual', termStart: '2026-05-01', durationMonths: 12 })).toThrow(RangeError);
  });

  it('adds calendar months clamped to the month end, leap years included', () => {
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2026-08-15', 12)).toBe('2027-08-15');
  });
});

describe('money in minor units', () => {
  it.each([
    ['100.00', 'EUR', 10000],
    ['0.01', 'USD', 1],
    [100.1, 'USD', 10010],
    [0.29, 'USD', 29],
    ['1000', 'JPY', 1000],
    ['1000.00', 'JPY', 1000],
    ['12.345', 'KWD', 12345],
    ['0.001', 'BHD', 1],
    ['7.5', 'BHD', 7500],
  ] as const)('%p %s is %i minor units', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
  });

  it.each([
    ['12.345', 'EUR'],
    [0.001, 'USD'],
    ['100.5', 'JPY'],
    ['0.0001', 'KWD'],
    ['-1.00', 'EUR'],
    ['1e3', 'EUR'],
    ['', 'EUR'],
    ['12,00', 'EUR'],
  ] as const)('refuses %p %s (more decimals than the currency has, or not an amount)', (amount, currency) => {
    expect(toMinorUnits(amount, currency)).toBeNull();
  });

  it('writes minor units back in the currency', () => {
    expect(formatMinorUnits(837, 'EUR')).toBe('8.37');
    expect(formatMinorUnits(5, 'KWD')).toBe('0.005');
    expect(formatMinorUnits(1000, 'JPY')).toBe('1000');
    expect(formatMinorUnits(-1, 'USD')).toBe('-0.01');
  });
});

describe('pro rata refund on cancellation', () => {
  const year = { premiumMinor: 36500, termStart: '2026-01-01', termEnd: '2027-01-01', creditMinor: 0 };

  it('gives back the paid, unused days, the earned part rounded up (the refund down)', () => {
    // 365.00 for 365 days, cancelled after 100 days, all paid: 100.00 earned, 265.00 back.
    expect(proRataRefund({ ...year, coverUntil: '2026-04-11', paidMinor: 36500 })).toBe(26500);
    // 100.00 for 365 days, 1 day used: 0.27397… earned, rounded up to 0.28; 99.72 back.
    expect(proRataRefund({ ...year, premiumMinor: 10000, coverUntil: '2026-01-02', paidMinor: 10000 })).toBe(9972);
    expect(earnedPremium({ ...year, premiumMinor: 10000, coverUntil: '2026-01-02' })).toBe(28);
  });

  it('never gives back more than was paid, nor anything when the paid part is used up', () => {
    // Monthly: two instalments (16.66 of 100.00) paid, cancelled after half a year: nothing back.
    expect(proRataRefund({ ...year, premiumMinor: 10000, coverUntil: '2026-07-01', paidMinor: 1666 })).toBe(0);
    // Cancelled on the first day: everything paid comes back, not the unpaid rest.
    expect(proRataRefund({ ...year, coverUntil: '2026-01-01', paidMinor: 3041 })).toBe(3041);
    // A cancellation dated before the start or after the end is clamped to the term.
    expect(proRataRefund({ ...year, coverUntil: '2025-12-01', paidMinor: 36500 })).toBe(36500);
    expect(proRataRefund({ ...year, coverUntil: '2027-03-01', paidMinor: 36500 })).toBe(0);
  });

  it('counts the days until cover ended as used: through the cancellation day when a loss of it was claimed before (coverEndOf)', () => {
    // Cancelled on 11 April with a loss of that day claimed before: cover ran through it, 101 days used, 101.00 earned, 264.00 back.
    expect(proRataRefund({ ...year, coverUntil: '2026-04-12', paidMinor: 36500 })).toBe(26400);
    // Cancelled on the first day with a loss of that day claimed: the day is earned.
    expect(earnedPremium({ ...year, coverUntil: '2026-01-02' })).toBe(100);
  });

  it('counts no day before cover began as used: the days a policy waited for its first premium earn nothing', () => {
    // Billed from 1 January, covered from 11 January, cancelled on 11 April: 90 days used, 90.00 earned, 275.00 back.
    expect(proRataRefund({ ...year, coverFrom: '2026-01-11', coverUntil: '2026-04-11', paidMinor: 36500 })).toBe(27500);
    // Cancelled the day cover began: nothing used; with a loss of that day claimed, that day.
    expect(earnedPremium({ ...year, coverFrom: '2026-01-11', coverUntil: '2026-01-11' })).toBe(0);
    expect(earnedPremium({ ...year, coverFrom: '2026-01-11', coverUntil: '2026-01-12' })).toBe(100);
    // Cover that never began (from the term's end): nothing used.
    expect(earnedPremium({ ...year, coverFrom: '2027-01-01', coverUntil: '2026-04-11' })).toBe(0);
    // After a change, each covered day earns the premium in force that day.
    const changed = { ...year, premiumChanges: [{ from: '2026-01-06', premiumMinor: 73000 }] };
    expect(earnedPremium({ ...changed, coverFrom: '2026-01-11', coverUntil: '2026-01-21' })).toBe(2000);
  });

  it('counts no day of a lapse as used: an instalment unpaid past its grace suspended cover', () => {
    // Lapsed 1 to 11 March, reinstated, cancelled on 11 April: 100 days less 10, 90.00 earned, 275.00 back.
    const lapsed = { ...year, lapses: [{ startedOn: '2026-03-01', endedOn: '2026-03-11' }] };
    expect(proRataRefund({ ...lapsed, coverUntil: '2026-04-11', paidMinor: 36500 })).toBe(27500);
    // Cancelled while lapsed (the lapse still open): the days from the lapse on are not used.
    expect(earnedPremium({ ...year, lapses: [{ startedOn: '2026-03-01', endedOn: null }], coverUntil: '2026-04-11' })).toBe(5900);
    // A lapse after the cancellation, or one of an earlier term, takes nothing off.
    expect(earnedPremium({ ...year, lapses: [{ startedOn: '2026-05-01', endedOn: null }], coverUntil: '2026-04-11' })).toBe(10000);
    expect(earnedPremium({ ...year, lapses: [{ startedOn: '2025-11-01', endedOn: '2025-12-01' }], coverUntil: '2026-04-11' })).toBe(10000);
    // One running into the term from the one before counts from the term's start: 10 days of 100.
    expect(earnedPremium({ ...year, lapses: [{ startedOn: '2025-12-20', endedOn: '2026-01-11' }], coverUntil: '2026-04-11' })).toBe(9000);
    // With the days before cover began and a premium change: each covered day outside the lapse earns its premium.
    const changed = { ...lapsed, premiumChanges: [{ from: '2026-03-06', premiumMinor: 73000 }] };
    // Covered from 21 February: 21 Feb–1 Mar at 1.00 (8 days), 11–21 March at 2.00 (10 days).
    expect(earnedPremium({ ...changed, coverFrom: '2026-02-21', coverUntil: '2026-03-21' })).toBe(2800);
  });

  it('gives back a credit whole, on top of the unused premium', () => {
    expect(proRataRefund({ ...year, coverUntil: '2026-04-11', paidMinor: 36500, creditMinor: 167 })).toBe(26667);
  });

  it('earns each day the premium in force that day when a policy change moved it', () => {
    // 240.00 for the 181 days to 1 July, 120.00 for the 62 days from then to 1 September: 139.3972… → 139.40.
    const changed = { ...year, premiumMinor: 24000, premiumChanges: [{ from: '2026-07-01', premiumMinor: 12000 }] };
    expect(earnedPremium({ ...changed, coverUntil: '2026-09-01' })).toBe(13940);
    // Cancelled before the change took effect: the first premium alone, as without it.
    expect(earnedPremium({ ...changed, coverUntil: '2026-04-11' })).toBe(
      earnedPremium({ ...year, premiumMinor: 24000, coverUntil: '2026-04-11' }),
    );
  });

  it('works in whole yen and in fils', () => {
    // 182 of 365 days used: 5983.56 yen earned, rounded up to 5984.
    expect(proRataRefund({ ...year, premiumMinor: 12000, coverUntil: '2026-07-02', paidMinor: 12000 })).toBe(6016);
    expect(proRataRefund({ ...year, premiumMinor: 120001, coverUntil: '2026-07-02', paidMinor: 120001 })).toBe(60164);
  });
});
