import { curveOf, formatCurve } from '../../bench/curve-table';

describe('a growth curve of npm run bench -- --sizes', () => {
  it('prints size, rate, ratio, p95 and its further columns, with the fitted k', () => {
    const curve = curveOf({ rate: 'expiries/s', ratio: 'vs yardstick', p95: 'lag p95 (ms)', more: ['RSS (MiB)'] }, [
      { size: 1000, perSecond: 50.04, ratio: 0.9, p95Ms: 100, more: [512.5], details: {} },
      { size: 4000, perSecond: 48, ratio: 0.853, p95Ms: 400, more: [600], details: {} },
    ]);
    expect(curve.k).toBeCloseTo(1, 6);
    expect(formatCurve('expiryGrowth', curve).split('\n')).toEqual([
      'expiryGrowth: k of p95 ∝ size^k = 1',
      '| size | expiries/s | vs yardstick | lag p95 (ms) | RSS (MiB) |',
      '| ---: | ---: | ---: | ---: | ---: |',
      '| 1,000 | 50 | 0.9 × | 100 | 512.5 |',
      '| 4,000 | 48 | 0.85 × | 400 | 600 |',
    ]);
  });

  it('leaves k out when the run measured one size (--sizes=large)', () => {
    const curve = curveOf({ rate: 'starts/s', ratio: 'vs raw SDK', p95: 'p95 (ms)' }, [
      { size: 100_000, perSecond: 150, ratio: 0.7, p95Ms: 90, details: {} },
    ]);
    expect(formatCurve('rolloutGrowth', curve)).toMatch(/^rolloutGrowth: k of p95 ∝ size\^k = —\n/);
  });
});
