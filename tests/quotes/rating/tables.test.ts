/**
 * What rating tables must mean to be saved (docs/quotes.md, Rating tables): each refusal names the
 * field and why, all problems at once; the dearest risk's bound is checked with the pricer's own
 * steps, so tables that pass never price a risk above it.
 */
import fc from 'fast-check';
import type { RatingTables } from '../../../src/contracts/quote';
import { priceRisk } from '../../../src/domain/quotes/rating/price';
import { assertRatingTables, ratingTableProblems } from '../../../src/domain/quotes/rating/tables';

const TABLES: RatingTables = {
  ratePerThousand: '1.20',
  sumInsured: { min: '50000.00', max: '1000000.00' },
  categories: { detached_house: '1.10', apartment: '0.85', shop: '1.40' },
  deductibles: [
    { amount: '250.00', credit: '0' },
    { amount: '500.00', credit: '0.05' },
  ],
  buildingAge: [
    { upToYears: 10, factor: '0.95' },
    { upToYears: 200, factor: '1.40' },
  ],
  zones: [
    { code: 'Z1', postcodePrefixes: ['7'], factor: '1.25' },
    { code: 'Z2', postcodePrefixes: ['75', '69'], factor: '1.10' },
  ],
  options: [{ code: 'glass', label: 'Glass breakage', premium: '25.00' }],
  minimumPremium: '150.00',
  taxRate: '0.09',
  fees: [{ label: 'Policy fee', amount: '12.50' }],
  referral: { sumInsuredAbove: '750000.00', buildingOlderThanYears: 100, zones: ['Z1'] },
};

const fields = (tables: RatingTables, currency = 'EUR') => ratingTableProblems(tables, currency).map((problem) => problem.field);

describe('rating tables when saved', () => {
  it('accepts the document’s tables', () => {
    expect(ratingTableProblems(TABLES, 'EUR')).toEqual([]);
    expect(() => assertRatingTables(TABLES, 'EUR')).not.toThrow();
  });

  it.each<[string, Partial<RatingTables>, string[]]>([
    ['a factor of 0', { categories: { ...TABLES.categories, shop: '0' } }, ['tables.categories.shop']],
    ['a factor above 10', { zones: [{ ...TABLES.zones[0], factor: '10.0001' }, TABLES.zones[1]] }, ['tables.zones.0.factor']],
    ['a rate per 1,000 of 0', { ratePerThousand: '0.000' }, ['tables.ratePerThousand']],
    ['a credit above 0.9', { deductibles: [{ amount: '250.00', credit: '0.91' }] }, ['tables.deductibles.0.credit']],
    ['a tax rate above 1', { taxRate: '1.5' }, ['tables.taxRate']],
    ['a range that runs backwards', { sumInsured: { min: '2000.00', max: '1000.00' } }, ['tables.sumInsured.max']],
    [
      'age bands out of order',
      {
        buildingAge: [
          { upToYears: 50, factor: '1' },
          { upToYears: 50, factor: '1.1' },
        ],
      },
      ['tables.buildingAge.1.upToYears'],
    ],
    ['a zone code twice', { zones: [TABLES.zones[0], { ...TABLES.zones[1], code: 'Z1' }] }, ['tables.zones.1.code']],
    [
      'a postcode prefix in two zones',
      { zones: [TABLES.zones[0], { ...TABLES.zones[1], postcodePrefixes: ['75', '7'] }] },
      ['tables.zones.1.postcodePrefixes.1'],
    ],
    ['an option code twice', { options: [TABLES.options[0], { ...TABLES.options[0], label: 'Again' }] }, ['tables.options.1.code']],
    [
      'a deductible twice (250 and 250.00)',
      { deductibles: [TABLES.deductibles[0], { amount: '250', credit: '0.1' }] },
      ['tables.deductibles.1.amount'],
    ],
    ['a referral zone the tables do not have', { referral: { zones: ['Z9'] } }, ['tables.referral.zones.0']],
    ['an amount with more decimals than EUR', { minimumPremium: '150.005' }, ['tables.minimumPremium']],
  ])('refuses %s, naming the field', (_case, change, expected) => {
    expect(fields({ ...TABLES, ...change })).toEqual(expected);
    expect(() => assertRatingTables({ ...TABLES, ...change }, 'EUR')).toThrow(expect.objectContaining({ status: 422 }));
  });

  it('reads amounts in the plan’s currency: 100.50 is no amount in yen', () => {
    const yen: RatingTables = {
      ...TABLES,
      sumInsured: { min: '1000000', max: '100000000' },
      minimumPremium: '5000',
      fees: [],
      options: [],
    };
    expect(fields({ ...yen, deductibles: [{ amount: '100.50', credit: '0' }] }, 'JPY')).toEqual(['tables.deductibles.0.amount']);
    expect(fields({ ...yen, deductibles: [{ amount: '50000', credit: '0' }] }, 'JPY')).toEqual([]);
  });

  it('names every problem at once', () => {
    expect(fields({ ...TABLES, ratePerThousand: '0', taxRate: '2', minimumPremium: '1.001' })).toEqual([
      'tables.ratePerThousand',
      'tables.minimumPremium',
      'tables.taxRate',
    ]);
  });

  it('refuses tables whose dearest risk would price above the largest sum insured', () => {
    // 1,000,000 at 1,000 per 1,000 is the sum insured itself before any factor.
    const problems = ratingTableProblems({ ...TABLES, ratePerThousand: '1000' }, 'EUR');
    expect(problems).toEqual([
      { field: 'tables.ratePerThousand', message: expect.stringContaining('above the largest sum insured 1000000.00') },
    ]);
  });

  it('refuses tables whose dearest risk would price above 9,999,999,999.99 (the premium column), where sums insured may go higher', () => {
    // Only a currency of 3 decimals takes a sum insured above the column's bound (10 digits, 3 decimals).
    const dinar = {
      ...TABLES,
      ratePerThousand: '900',
      sumInsured: { min: '1.000', max: '9999999999.999' },
      minimumPremium: '150.000',
      referral: {},
    };
    const problems = ratingTableProblems(dinar, 'KWD');
    expect(problems).toEqual([{ field: 'tables.ratePerThousand', message: expect.stringContaining('above 9999999999.99') }]);
  });

  it('the dearest risk is the bound: tables that pass price no risk above the largest sum insured (property)', () => {
    const factor = fc.integer({ min: 1, max: 100_000 }).map((units) => (units / 10_000).toFixed(4));
    fc.assert(
      fc.property(
        fc.record({
          rate: fc.integer({ min: 1, max: 10_000_000 }).map((units) => (units / 10_000).toFixed(4)),
          category: factor,
          young: factor,
          old: factor,
          zone: factor,
          sum: fc.integer({ min: 50_000, max: 1_000_000 }),
          age: fc.integer({ min: 0, max: 200 }),
        }),
        ({ rate, category, young, old, zone, sum, age }) => {
          const tables: RatingTables = {
            ...TABLES,
            ratePerThousand: rate,
            categories: { ...TABLES.categories, shop: category },
            buildingAge: [
              { upToYears: 10, factor: young },
              { upToYears: 200, factor: old },
            ],
            zones: [TABLES.zones[0], { ...TABLES.zones[1], factor: zone }],
          };
          if (ratingTableProblems(tables, 'EUR').length > 0) return;
          const risk = {
            propertyCategory: 'shop' as const,
            sumInsured: `${sum}.00`,
            deductible: '250.00',
            postcode: '75001',
            yearBuilt: 2026 - age,
            options: ['glass'],
          };
          expect(priceRisk(tables, risk, { currency: 'EUR', onDate: '2026-11-29' }).premiumMinor).toBeLessThanOrEqual(100_000_000);
        },
      ),
      { numRuns: 300 },
    );
  });
});
