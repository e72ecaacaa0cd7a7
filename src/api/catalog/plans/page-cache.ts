/**
 * The plan pages this process has answered, kept until a plan of their tenant changes
 * (docs/performance.md, The plan catalog's pages). Every policyholder of a tenant reads the same
 * few catalog pages and a tenant's plans change a few times a year, so a page is read from
 * PostgreSQL once per change instead of once per request.
 *
 * A page is trusted only while this process follows the `plan_changes` channel (migration 0070):
 * every committed write to `plans` announces its tenant there, whoever wrote it. While the
 * connection is down nothing is kept or answered from here, and what was kept before is forgotten.
 * A page read while its tenant's notice arrived is not kept: it may predate the change.
 *
 * Writes through this process's API forget their tenant's pages as soon as they commit
 * (`planWritten`), so their writer reads them back at once; a write on another process reaches
 * this one with its notice, within milliseconds of the commit.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from '../../../config/logger';
import { followNotices, type NoticeFollower } from '../../../models/change-notices';
import { PLAN_CHANGES_CHANNEL } from '../../../models/migrations/0070-plan-change-notices';
import type { Page } from '../../lists/pagination';

/** At most this many plan rows are kept, over every page (about 0.5 KB each). */
const MAX_KEPT_ROWS = 20_000;

interface Kept {
  page: Page<unknown>;
  /** The tenant's change count and the following's epoch when the page was read. */
  changes: number;
  epoch: number;
}

/** Freezes the page, so that no answer can change what the next request is given. */
function frozen<T>(page: Page<T>): Page<T> {
  for (const item of page.items) Object.freeze(item);
  Object.freeze(page.items);
  Object.freeze(page.pagination);
  return Object.freeze(page);
}

class PlanPageCache {
  private readonly pages = new LRUCache<string, Kept>({ maxSize: MAX_KEPT_ROWS, sizeCalculation: (kept) => kept.page.items.length + 1 });
  /** Per tenant, the changes noticed so far. */
  private readonly changes = new Map<string, number>();
  /** Moves on whenever following starts or stops: pages of an earlier epoch are never answered. */
  private epoch = 0;
  private followers = 0;

  /** The page under `key` of `tenantId`'s plans, from here while it is current, else from `read`. */
  async page<T>(tenantId: string, key: string, read: () => Promise<Page<T>>): Promise<Page<T>> {
    if (this.followers === 0) return read();
    const epoch = this.epoch;
    const changes = this.changes.get(tenantId) ?? 0;
    const cacheKey = `${tenantId} ${key}`;
    const kept = this.pages.get(cacheKey);
    if (kept && kept.epoch === epoch && kept.changes === changes) return kept.page as Page<T>;
    const page = await read();
    if (this.followers > 0 && this.epoch === epoch && (this.changes.get(tenantId) ?? 0) === changes) {
      this.pages.set(cacheKey, { page: frozen(page), changes, epoch });
    }
    return page;
  }

  /** A tenant's plans changed; null: every tenant's. */
  changed(tenantId: string | null): void {
    if (tenantId === null) this.forgetAll();
    else this.changes.set(tenantId, (this.changes.get(tenantId) ?? 0) + 1);
  }

  following(now: boolean): void {
    this.followers += now ? 1 : -1;
    this.forgetAll();
  }

  private forgetAll(): void {
    this.epoch += 1;
    this.pages.clear();
  }
}

/** One per process: the API's writes and the notices reach the same pages. */
export const planPages = new PlanPageCache();

/** Called once the write committed: this tenant's pages are stale. */
export function planWritten(tenantId: string): void {
  planPages.changed(tenantId);
}

/** Follows the plans' change notices for this process's pages until stopped (the API's start-up, the tests' stack). */
export function followPlanChanges(databaseUrl: string, logger: Logger): NoticeFollower {
  return followNotices({
    databaseUrl,
    channel: PLAN_CHANGES_CHANNEL,
    logger,
    applicationName: 'insurflow plan notices',
    onNotice: (tenantId) => planPages.changed(tenantId === '' ? null : tenantId),
    onFollowing: (now) => planPages.following(now),
  });
}
