/**
 * The pricer (docs/quotes.md, Rating tables): the worked examples of the document to the minor unit,
 * the risks the tables refuse (422 naming the field), and properties over random tables and risks
 * checked against an independent computation: every step's rounding by its defining inequality in
 * BigInt, 2k − 1 ≤ 2x < 2k + 1, rather than by the pricer's own formula.
 */
import fc from 'fast-check';
import { PROPERTY_CATEGORIES, type BreakdownLine, type RatingTables, type Risk } from '../../../src/contracts/quote';
import { priceRisk } from '../../../src/domain/quotes/rating/price';
import { minorUnitDigits } from '../../../src/shared/money';

/** The tables of the worked example in docs/quotes.md. */
const TABLES: RatingTables = {
  ratePerThousand: '1.20',
  sumInsured: { min: '50000.00', max: '1000000.00' },
  categories: { detached_house: '1.10', apartment: '0.85', shop: '1.40' },
  deductibles: [
    { amount: '250.00', credit: '0' },
    { amount: '500.00', credit: '0.05' },
    { amount: '1000.00', credit: '0.10' },
  ],
  buildingAge: [
    { upToYears: 10, factor: '0.95' },
    { upToYears: 50, factor: '1.00' },
    { upToYears: 100, factor: '1.15' },
    { upToYears: 200, factor: '1.40' },
  ],
  zones: [
    { code: 'Z1', postcodePrefixes: ['7'], factor: '1.25' },
    { code: 'Z2', postcodePrefixes: ['75', '69'], factor: '1.10' },
    { code: 'ZR', postcodePrefixes: ['13'], factor: '1.30' },
  ],
  options: [
    { code: 'glass', label: 'Glass breakage', premium: '25.00' },
    { code: 'garden', label: 'Garden and outbuildings', premium: '40.00' },
  ],
  minimumPremium: '150.00',
  taxRate: '0.09',
  fees: [{ label: 'Policy fee', amount: '12.50' }],
  referral: { sumInsuredAbove: '750000.00', buildingOlderThanYears: 100, zones: ['ZR'] },
};

const RISK: Risk = {
  propertyCategory: 'detached_house',
  sumInsured: '300000.00',
  deductible: '500.00',
  postcode: '75011',
  yearBuilt: 1990,
  options: ['glass'],
};

const ON = { currency: 'EUR', onDate: '2026-11-29' };

/** A breakdown amount ("-21.78", "1262") in minor units of the currency. */
function minor(amount: string, currency: string): bigint {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const units = BigInt(whole + fraction.padEnd(minorUnitDigits(currency), '0'));
  return negative ? -units : units;
}

const total = (lines: BreakdownLine[], currency: string) => lines.reduce((sum, line) => sum + minor(line.amount, currency), 0n);

/** What the pricer refuses: a 422 whose details name the field. */
function refusal(risk: Partial<Risk>, options: Partial<typeof ON> = {}): { status: number; details: { field: string }[] } {
  try {
    priceRisk(TABLES, { ...RISK, ...risk }, { ...ON, ...options });
  } catch (error) {
    return error as { status: number; details: { field: string }[] };
  }
  throw new Error('priced a risk the tables refuse');
}

describe('priceRisk, worked examples (docs/quotes.md)', () => {
  it('prices the document’s detached house in EUR step by step, the lines adding up to 490.81', () => {
    const price = priceRisk(TABLES, RISK, ON);
    expect(price.breakdown).toEqual([
      { step: 'base', label: 'Sum insured 300000.00 at 1.20 per 1,000', factor: '1.20', amount: '360.00' },
      { step: 'category', label: 'Property category detached_house', factor: '1.10', amount: '36.00' },
      { step: 'buildingAge', label: 'Building 36 years old (band up to 50)', factor: '1.00', amount: '0.00' },
      // 75011 starts with 7 (Z1) and 75 (Z2): the longest prefix wins.
      { step: 'zone', label: 'Zone Z2', factor: '1.10', amount: '39.60' },
      { step: 'deductible', label: 'Deductible 500.00 (credit 0.05)', factor: '0.95', amount: '-21.78' },
      { step: 'option', label: 'Glass breakage', amount: '25.00' },
      // 438.82 × 0.09 = 39.4938 → 39.49
      { step: 'tax', label: 'Tax at 0.09', amount: '39.49' },
      { step: 'fee', label: 'Policy fee', amount: '12.50' },
    ]);
    expect(price.premiumMinor).toBe(49_081);
    expect(price.referralReasons).toEqual([]);
  });

  it('rounds each step half up to the yen in JPY: 14,025 × 0.90 = 12,622.5 → 12,623', () => {
    const yen: RatingTables = {
      ...TABLES,
      ratePerThousand: '0.75',
      sumInsured: { min: '1000000', max: '100000000' },
      deductibles: [{ amount: '50000', credit: '0.10' }],
      options: [],
      minimumPremium: '5000',
      taxRate: '0.10',
      fees: [],
      referral: {},
    };
    const risk: Risk = { ...RISK, propertyCategory: 'apartment', sumInsured: '20000000', deductible: '50000', options: [] };
    const price = priceRisk(yen, risk, { currency: 'JPY', onDate: '2026-11-29' });
    expect(price.breakdown.map((line) => [line.step, line.amount])).toEqual([
      ['base', '15000'],
      ['category', '-2250'],
      ['buildingAge', '0'],
      ['zone', '1275'],
      ['deductible', '-1402'],
      ['tax', '1262'],
    ]);
    expect(price.premiumMinor).toBe(13_885);
  });

  it('prices a premium in dinars to the fils, each step rounded half up as in cents: 491.253, not rounded up to 491.260', () => {
    // The worked example in KWD with a tax of 0.091: 438.820 × 0.091 = 39.93262 → 39.933, premium 491.253.
    const price = priceRisk({ ...TABLES, taxRate: '0.091' }, RISK, { currency: 'KWD', onDate: '2026-11-29' });
    expect(price.breakdown.slice(-2).map((line) => [line.step, line.amount])).toEqual([
      ['tax', '39.933'],
      ['fee', '12.500'],
    ]);
    expect(price.premiumMinor).toBe(491_253);
  });

  it('lifts a small risk to the minimum premium before the loading and the tax', () => {
    const price = priceRisk(
      TABLES,
      { ...RISK, propertyCategory: 'apartment', sumInsured: '50000.00', options: [] },
      { ...ON, loading: '0.15' },
    );
    // 60.00 × 0.85 × 1.00 × 1.10 × 0.95 = 53.30; the minimum lifts it by 96.70 to 150.00.
    expect(price.breakdown.slice(5).map((line) => [line.step, line.factor, line.amount])).toEqual([
      ['minimum', undefined, '96.70'],
      ['loading', '1.15', '22.50'],
      ['tax', undefined, '15.53'],
      ['fee', undefined, '12.50'],
    ]);
    expect(price.premiumMinor).toBe(20_053);
  });

  it('names each referral rule the risk meets, and still prices it', () => {
    const price = priceRisk(TABLES, { ...RISK, sumInsured: '800000.00', postcode: '13001', yearBuilt: 1900 }, ON);
    expect(price.referralReasons).toEqual([
      'Sum insured 800000.00 is above 750000.00',
      'Building is 126 years old, older than 100',
      'Zone ZR is referred',
    ]);
    expect(price.premiumMinor).toBeGreaterThan(0);
  });
});

describe('priceRisk refuses a risk its tables do not price (422 naming the field)', () => {
  it.each<[string, Partial<Risk>, string]>([
    ['a category the plan does not insure', { propertyCategory: 'bungalow' }, 'risk.propertyCategory'],
    ['a category named like an Object property', { propertyCategory: 'constructor' as Risk['propertyCategory'] }, 'risk.propertyCategory'],
    ['a sum insured below the range', { sumInsured: '49999.99' }, 'risk.sumInsured'],
    ['a sum insured above the range', { sumInsured: '1000000.01' }, 'risk.sumInsured'],
    ['a sum insured with more decimals than the currency', { sumInsured: '300000.001' }, 'risk.sumInsured'],
    ['a deductible the plan does not offer', { deductible: '750.00' }, 'risk.deductible'],
    ['a postcode no zone matches', { postcode: '2A004' }, 'risk.postcode'],
    ['a building from the future', { yearBuilt: 2027 }, 'risk.yearBuilt'],
    ['a building before 1700', { yearBuilt: 1699 }, 'risk.yearBuilt'],
    ['a building older than the last age band', { yearBuilt: 1800 }, 'risk.yearBuilt'],
    ['an unknown option', { options: ['glass', 'flood'] }, 'risk.options.1'],
    ['an option named twice', { options: ['glass', 'garden', 'glass'] }, 'risk.options.2'],
  ])('%s', (_case, risk, field) => {
    const error = refusal(risk);
    expect(error.status).toBe(422);
    expect(error.details.map((detail) => detail.field)).toEqual([field]);
  });

  it('prices a building of this very year and one exactly at the last band', () => {
    expect(priceRisk(TABLES, { ...RISK, yearBuilt: 2026 }, ON).breakdown[2]).toMatchObject({ factor: '0.95' });
    expect(priceRisk(TABLES, { ...RISK, yearBuilt: 1826 }, ON).breakdown[2]).toMatchObject({ factor: '1.40' });
  });

  it('refuses a loading that would lift the premium past what the column holds, and prices the same risk without it', () => {
    // 900,000,000.00 at 5,500 per 1,000 → about 6.2 billion with tax; a loading of 1 doubles it past 9,999,999,999.99.
    const dear: RatingTables = { ...TABLES, ratePerThousand: '5500', sumInsured: { min: '1.00', max: '900000000.00' } };
    const risk = { ...RISK, sumInsured: '900000000.00' };
    expect(priceRisk(dear, risk, ON).premiumMinor).toBeGreaterThan(600_000_000_000);
    expect(() => priceRisk(dear, risk, { ...ON, loading: '1' })).toThrow(expect.objectContaining({ status: 422 }));
  });
});

// ---- Properties over random tables and risks ----

const CURRENCIES = ['EUR', 'JPY', 'KWD'];

/** A decimal string from units and decimals: (125, 2) → "1.25". */
const text = (units: number, decimals: number) => {
  const digits = String(units).padStart(decimals + 1, '0');
  return decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
};

/** A factor in (0, 10] with up to 4 decimals; a credit in [0, 0.9]. */
const factorArb = fc.integer({ min: 1, max: 100_000 }).map((units) => text(units, 4));
const creditArb = fc.integer({ min: 0, max: 9_000 }).map((units) => text(units, 4));

/** Tables, a currency and a risk they accept (the sum insured drawn inside their range). */
const pricedArb = fc
  .record({
    currency: fc.constantFrom(...CURRENCIES),
    rate: fc.integer({ min: 1, max: 200_000 }),
    category: fc.constantFrom(...PROPERTY_CATEGORIES),
    categoryFactor: factorArb,
    ageFactor: factorArb,
    zoneFactor: factorArb,
    credit: creditArb,
    optionPremiums: fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 4 }),
    minimum: fc.integer({ min: 1, max: 10_000_000 }),
    tax: fc.integer({ min: 0, max: 5_000 }),
    fees: fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 3 }),
    sums: fc.tuple(fc.integer({ min: 1, max: 10 ** 11 }), fc.integer({ min: 1, max: 10 ** 11 })),
    loading: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
  })
  .map((r) => {
    const digits = minorUnitDigits(r.currency);
    const money = (minorUnits: number) => text(minorUnits, digits);
    // Sums up to 10^8 in the currency's units, so the dearest draw stays within the premium column.
    const largest = 10 ** (8 + digits);
    const [low, high] = r.sums.map((sum) => (sum % largest) + 1).sort((a, b) => a - b);
    const tables: RatingTables = {
      ratePerThousand: text(r.rate, 4),
      sumInsured: { min: money(1), max: money(largest) },
      categories: { [r.category]: r.categoryFactor },
      deductibles: [{ amount: money(0), credit: r.credit }],
      buildingAge: [{ upToYears: 500, factor: r.ageFactor }],
      zones: [{ code: 'Z', postcodePrefixes: ['A'], factor: r.zoneFactor }],
      options: r.optionPremiums.map((premium, index) => ({ code: `o${index}`, label: `Option ${index}`, premium: money(premium) })),
      minimumPremium: money(r.minimum),
      taxRate: text(r.tax, 4),
      fees: r.fees.map((amount, index) => ({ label: `Fee ${index}`, amount: money(amount) })),
      referral: {},
    };
    const risk = (sum: number): Risk => ({
      propertyCategory: r.category,
      sumInsured: money(sum),
      deductible: money(0),
      postcode: 'A1',
      yearBuilt: 1950,
      options: r.optionPremiums.map((_premium, index) => `o${index}`),
    });
    const options = { currency: r.currency, onDate: '2026-11-29', loading: r.loading === undefined ? undefined : text(r.loading, 4) };
    return { tables, low: risk(low), high: risk(high), options, r };
  });

/** n/d as the fraction of two BigInts from a decimal string: "1.25" → [125n, 100n]. */
function fraction(decimal: string): [bigint, bigint] {
  const [whole, part = ''] = decimal.split('.');
  return [BigInt(whole) * 10n ** BigInt(part.length) + BigInt(part || '0'), 10n ** BigInt(part.length)];
}

/** Whether k is n/d rounded half up: k − ½ ≤ n/d < k + ½. */
const roundsTo = (k: bigint, n: bigint, d: bigint) => (2n * k - 1n) * d <= 2n * n && 2n * n < (2n * k + 1n) * d;

describe('priceRisk, properties', () => {
  it('the breakdown adds up to the premium, and each multiplying step is its factor rounded half up (independent check)', () => {
    fc.assert(
      fc.property(pricedArb, ({ tables, high, options }) => {
        const price = priceRisk(tables, high, options);
        const { currency } = options;
        expect(total(price.breakdown, currency)).toBe(BigInt(price.premiumMinor));
        let running = 0n;
        for (const line of price.breakdown) {
          const next = running + minor(line.amount, currency);
          if (line.step === 'base') {
            const [rate, rateDivisor] = fraction(tables.ratePerThousand);
            expect(roundsTo(next, minor(high.sumInsured, currency) * rate, 1000n * rateDivisor)).toBe(true);
          } else if (line.step === 'tax') {
            const [tax, taxDivisor] = fraction(tables.taxRate);
            expect(roundsTo(next - running, running * tax, taxDivisor)).toBe(true);
          } else if (line.factor !== undefined) {
            const [n, d] = fraction(line.factor);
            expect(roundsTo(next, running * n, d)).toBe(true);
          }
          running = next;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never prices below the minimum premium (before loading, tax and fees)', () => {
    fc.assert(
      fc.property(pricedArb, ({ tables, low, options }) => {
        const { breakdown } = priceRisk(tables, low, options);
        const beforeLoading = breakdown.filter((line) => !['loading', 'tax', 'fee'].includes(line.step));
        expect(total(beforeLoading, options.currency)).toBeGreaterThanOrEqual(minor(tables.minimumPremium, options.currency));
      }),
      { numRuns: 500 },
    );
  });

  it('prices to the minor unit in every currency: no line rounds the premium the formula gives any further', () => {
    fc.assert(
      fc.property(pricedArb, ({ tables, high, options }) => {
        const { breakdown } = priceRisk(tables, high, options);
        expect(breakdown.filter((line) => line.step === 'rounding')).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('is monotone in the sum insured: a larger sum never costs less', () => {
    fc.assert(
      fc.property(pricedArb, ({ tables, low, high, options }) => {
        expect(priceRisk(tables, low, options).premiumMinor).toBeLessThanOrEqual(priceRisk(tables, high, options).premiumMinor);
      }),
      { numRuns: 500 },
    );
  });
});
