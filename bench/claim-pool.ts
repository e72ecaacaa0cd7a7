/**
 * Claims for the ledger section's claim payment lanes (bench/ledger.ts). A claim takes at most
 * MAX_CLAIM_PAYMENTS payments (src/contracts/claim-payments.ts), and the 51st is refused (409): a
 * lane asks for its payments on one claim and moves to a fresh one before that claim's last, so
 * every operation timed is the same work, never a refusal.
 *
 * Claims are filed before a run, outside its timing: `freshClaimsFor` says how many more a run
 * needs at the rate the lanes reached so far (with a margin, since a half may run faster than the
 * warm-up that sized it). Should the lanes still outrun the pool, `next` throws and the section
 * fails loudly, as a refused request does.
 */
import { MAX_CLAIM_PAYMENTS } from '../src/contracts/claim-payments';

/** Room for a run faster than the one its size was taken from. */
const RATE_MARGIN = 2;

interface Held {
  claimId: string;
  payments: number;
}

export class ClaimPool {
  private readonly fresh: string[] = [];
  /** The claim each lane asks on now and the payments it has taken. */
  private readonly held = new Map<number, Held>();
  /** Claims added so far. */
  filed = 0;

  constructor(
    readonly lanes: number,
    readonly paymentsPerClaim: number = MAX_CLAIM_PAYMENTS,
  ) {}

  add(claimIds: string[]): void {
    this.fresh.push(...claimIds);
    this.filed += claimIds.length;
  }

  /** The claim `lane` asks its next payment on: its own while it has room, else a fresh one. */
  next(lane: number): string {
    let held = this.held.get(lane);
    if (!held || held.payments >= this.paymentsPerClaim) {
      const claimId = this.fresh.shift();
      if (!claimId)
        throw new Error(
          `claim payment lane ${lane}: no fresh claim left (each takes ${this.paymentsPerClaim} payments); the lanes ran faster than the pool was filed for`,
        );
      held = { claimId, payments: 0 };
      this.held.set(lane, held);
    }
    held.payments += 1;
    return held.claimId;
  }

  /**
   * How many claims to file before a run of `seconds` at up to `perSecond` operations (all lanes
   * together, the margin on top): each lane's share less the room left on its claim, in whole
   * claims, less the fresh claims filed already.
   */
  freshClaimsFor(perSecond: number, seconds: number): number {
    const perLane = Math.ceil((perSecond * RATE_MARGIN * seconds) / this.lanes);
    let needed = 0;
    for (let lane = 0; lane < this.lanes; lane++) {
      const held = this.held.get(lane);
      const room = held ? this.paymentsPerClaim - held.payments : 0;
      needed += Math.ceil(Math.max(0, perLane - room) / this.paymentsPerClaim);
    }
    return Math.max(0, needed - this.fresh.length);
  }
}
