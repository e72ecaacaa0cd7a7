/**
 * What this process has read of a tenant's plans (catalog pages, a plan a policy is taken out
 * on), kept until a plan of that tenant changes (docs/catalog.md, Kept plans). Every policyholder
 * of a tenant reads the same few pages and plans, and a tenant's plans change a few times a year,
 * so each is read from PostgreSQL once per change instead of once per request.
 *
 * A read is trusted only while this process follows the `plan_changes` channel (migration 0070;
 * src/models/change-notices.ts): every committed write to `plans` announces its tenant there,
 * whoever wrote it. While the follower's heartbeat does not come back nothing is kept or answered
 * from here, and what was kept before is forgotten (`insurflow_plan_notices_following` says which).
 * A read made while its tenant's notice arrived is not kept: it may predate the change.
 *
 * The catalog commands forget their tenant's reads as soon as they commit (`planWritten`), so a
 * writer reads its change back at once on the process that made it; a write on another process
 * reaches this one with its notice, within milliseconds of the commit.
 */
import { LRUCache } from 'lru-cache';
import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../../config/logger';
import { followNotices, type NoticeFollower } from '../../models/change-notices';
import { PLAN_CHANGES_CHANNEL } from '../../models/migrations/0070-plan-change-notices';
import { planChangeNoticesHeard, planNoticesFollowing } from '../../observability/business-metrics';

/** At most this many plan rows are kept, over every read (about 0.5 KB each). */
const MAX_KEPT_ROWS = 20_000;

interface Kept {
  value: unknown;
  rows: number;
  /** The tenant's change count and the following's epoch when it was read. */
  changes: number;
  epoch: number;
}

/** Frozen through, so that no request can change what the next one is given. */
function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}

class KeptPlanReads {
  private readonly kept = new LRUCache<string, Kept>({ maxSize: MAX_KEPT_ROWS, sizeCalculation: (entry) => entry.rows + 1 });
  /** Per tenant, the changes noticed so far. */
  private readonly changes = new Map<string, number>();
  /** Moves on whenever following starts or stops: reads of an earlier epoch are never answered. */
  private epoch = 0;
  private followers = 0;

  /** What `read` answers for `tenantId` under `key`, from here while it is current; `rows` counts its plan rows. */
  async read<T>(tenantId: string, key: string, read: () => Promise<T>, rows: (value: T) => number): Promise<T> {
    if (this.followers === 0) return read();
    const epoch = this.epoch;
    const changes = this.changes.get(tenantId) ?? 0;
    const cacheKey = `${tenantId} ${key}`;
    const kept = this.kept.get(cacheKey);
    if (kept && kept.epoch === epoch && kept.changes === changes) return kept.value as T;
    const value = await read();
    if (this.followers > 0 && this.epoch === epoch && (this.changes.get(tenantId) ?? 0) === changes) {
      this.kept.set(cacheKey, { value: frozen(value), rows: rows(value), changes, epoch });
    }
    return value;
  }

  /** A tenant's plans changed; null: every tenant's. */
  changed(tenantId: string | null): void {
    if (tenantId === null) this.forgetAll();
    else this.changes.set(tenantId, (this.changes.get(tenantId) ?? 0) + 1);
  }

  following(now: boolean): void {
    this.followers += now ? 1 : -1;
    planNoticesFollowing.set(this.followers > 0 ? 1 : 0);
    this.forgetAll();
  }

  private forgetAll(): void {
    this.epoch += 1;
    this.kept.clear();
  }
}

/** One per process: the commands' writes and the notices reach the same reads. */
export const keptPlanReads = new KeptPlanReads();

/** Called once a write of `tenantId`'s plans committed: what was kept of them is stale. */
export function planWritten(tenantId: string): void {
  keptPlanReads.changed(tenantId);
}

/**
 * Announces a change of `tenantId`'s plans that writes no `plans` row, as the triggers announce
 * one that does: a new rating version, which this process keeps with the plan it prices. In
 * `transaction`, the notice goes out when it commits (none if it rolls back).
 */
export async function announcePlanChange(sequelize: Sequelize, tenantId: string, transaction?: Transaction): Promise<void> {
  await sequelize.query('SELECT pg_notify(:channel, :tenantId)', {
    replacements: { channel: PLAN_CHANGES_CHANNEL, tenantId },
    transaction,
  });
  if (transaction) transaction.afterCommit(() => planWritten(tenantId));
  else planWritten(tenantId);
}

/** How the notice connection shows in pg_stat_activity. */
export const PLAN_NOTICES_APPLICATION = 'insurflow plan notices';

/** Follows the plans' change notices for this process until stopped (the API's start-up, the tests' stack). */
export function followPlanChanges(databaseUrl: string, logger: Logger): NoticeFollower {
  return followNotices({
    databaseUrl,
    channel: PLAN_CHANGES_CHANNEL,
    logger,
    applicationName: PLAN_NOTICES_APPLICATION,
    onNotice: (tenantId) => {
      planChangeNoticesHeard.inc();
      keptPlanReads.changed(tenantId === '' ? null : tenantId);
    },
    onFollowing: (now) => keptPlanReads.following(now),
  });
}
