import { ClaimPool } from '../../bench/claim-pool';
import { MAX_CLAIM_PAYMENTS } from '../../src/contracts/claim-payments';

/** The claim each of `count` payments of `lane` is asked on. */
const claimsOf = (pool: ClaimPool, lane: number, count: number): string[] => Array.from({ length: count }, () => pool.next(lane));

describe("the claims of the ledger section's claim payment lanes", () => {
  it('asks at most the product limit of payments on a claim, then moves the lane to a fresh claim', () => {
    const pool = new ClaimPool(2);
    expect(pool.paymentsPerClaim).toBe(MAX_CLAIM_PAYMENTS);
    pool.add(['a', 'b', 'c']);
    const first = claimsOf(pool, 0, MAX_CLAIM_PAYMENTS + 1);
    expect(first.filter((id) => id === 'a')).toHaveLength(MAX_CLAIM_PAYMENTS);
    expect(first.at(-1)).toBe('b');
    // Another lane never shares a lane's claim.
    expect(pool.next(1)).toBe('c');
    expect(pool.filed).toBe(3);
  });

  it('fails loudly when the lanes outrun the claims filed, instead of asking a refused payment', () => {
    const pool = new ClaimPool(1, 3);
    pool.add(['a']);
    expect(claimsOf(pool, 0, 3)).toEqual(['a', 'a', 'a']);
    expect(() => pool.next(0)).toThrow(/no fresh claim left \(each takes 3 payments\)/);
  });

  it('files for a run what the lanes may ask at twice the rate seen, less the room on their claims and the fresh ones', () => {
    const pool = new ClaimPool(4, 10);
    // 5/s × 2 × 10 s = 100 payments, 25 a lane: 3 claims each.
    expect(pool.freshClaimsFor(5, 10)).toBe(12);
    pool.add(Array.from({ length: 12 }, (_, i) => `claim-${i}`));
    expect(pool.freshClaimsFor(5, 10)).toBe(0);
    // Lane 0 took 7 on the first fresh claim (3 left): its 22 more need 3 claims, the other lanes 3 each, 11 are still fresh.
    claimsOf(pool, 0, 7);
    expect(pool.freshClaimsFor(5, 10)).toBe(12 - 11);
    // 10/s: 50 a lane; lane 0's 47 more need 5 claims, as do the others'.
    expect(pool.freshClaimsFor(10, 10)).toBe(20 - 11);
    expect(pool.freshClaimsFor(0, 10)).toBe(0);
  });
});
