import { growthExponent, sizeSetOf } from '../../bench/growth';

describe('growth curves of npm run bench', () => {
  it('fits the exponent of p95 ∝ size^k: flat is 0, square root 0.5, linear 1', () => {
    const sizes = [10_000, 100_000, 1_000_000];
    expect(growthExponent(sizes.map((size) => ({ size, p95Ms: 12 })))).toBeCloseTo(0, 6);
    expect(growthExponent(sizes.map((size) => ({ size, p95Ms: Math.sqrt(size) })))).toBeCloseTo(0.5, 6);
    expect(growthExponent(sizes.map((size) => ({ size, p95Ms: size / 1000 })))).toBeCloseTo(1, 6);
    expect(growthExponent([{ size: 10, p95Ms: 3 }])).toBeNaN();
  });

  it('reads --sizes and --sizes=large, and refuses any other value', () => {
    expect(sizeSetOf(['node', 'run.js'])).toBeUndefined();
    expect(sizeSetOf(['node', 'run.js', '--sizes'])).toBe('curves');
    expect(sizeSetOf(['node', 'run.js', '--sizes=large'])).toBe('large');
    expect(() => sizeSetOf(['node', 'run.js', '--sizes=huge'])).toThrow(/huge/);
  });
});
