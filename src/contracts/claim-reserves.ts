/**
 * A claim's reserves (docs/claim-money.md): what the insurer expects the claim still to cost, by
 * cost type and category, each change kept with who asked and why. The claim's run holds them:
 * a change within the actor's reserve authority applies at once; above it, it waits in the run
 * for someone with enough authority, never the person who asked, as approvals do.
 */
import { defineUpdate } from '@temporalio/workflow';
import type { Actor } from './actor';

export const COST_TYPES = ['indemnity', 'expense'] as const;
export type CostType = (typeof COST_TYPES)[number];
export const RESERVE_CATEGORIES = ['repair', 'medical', 'legal', 'other'] as const;
export type ReserveCategory = (typeof RESERVE_CATEGORIES)[number];

/** Reserve changes one claim's run keeps at most: its history stays bounded whatever people do. */
export const MAX_RESERVE_CHANGES = 100;

export interface ReserveLine {
  costType: CostType;
  category: ReserveCategory;
  /** The reserve set on the line (what it is expected to cost in all). */
  amount: number;
}

/**
 * `applied`: within the asker's authority. `pending`: waits for someone with enough authority,
 * then `approved` (applied) or `rejected`. `released`: set to zero as the claim closed.
 * `payment`: a payment asked for took its amount off the line (claim-payments.ts);
 * `payment_returned`: a voided or failed payment gave it back.
 */
export const RESERVE_CHANGE_STATUSES = ['applied', 'pending', 'approved', 'rejected', 'released', 'payment', 'payment_returned'] as const;
export type ReserveChangeStatus = (typeof RESERVE_CHANGE_STATUSES)[number];

export interface ReserveChange {
  id: string;
  costType: CostType;
  category: ReserveCategory;
  amountBefore: number;
  amount: number;
  reason: string;
  requestedById: string | null;
  /** Workflow time (ISO) of the request. */
  requestedAt: string;
  status: ReserveChangeStatus;
  decidedById: string | null;
}

export interface ReserveChangeRequest {
  actor: Actor;
  /** Chosen by the API (from the Idempotency-Key when there is one), so a repeat is the same change. */
  changeId: string;
  costType: CostType;
  category: ReserveCategory;
  /** The line's new reserve. */
  amount: number;
  reason: string;
}

export interface ReserveDecisionRequest {
  actor: Actor;
  changeId: string;
  approve: boolean;
}

/** A change as the run recorded it, and the reserves after it. */
export interface ReservesAnswer {
  change: ReserveChange;
  reserves: ReserveLine[];
}

export const changeReserveUpdate = defineUpdate<ReservesAnswer, [ReserveChangeRequest]>('changeReserve');
export const decideReserveChangeUpdate = defineUpdate<ReservesAnswer, [ReserveDecisionRequest]>('decideReserveChange');
