/**
 * A month's close reads its page of policies' premium (src/domain/ledger/earnings.ts) as a range of
 * this index: the tenant's premium entries in subscription order. By `journal_entries_posted`
 * (tenant first, then the day) a page read all of the tenant's entries, work growing with its books
 * (docs/performance.md, Growth: the books). Built concurrently: entries are posted all day.
 */
import { concurrentIndexes } from './helpers';

export const { up, down } = concurrentIndexes([
  ['journal_entries_premium_terms', 'journal_entries (tenant_id, subscription_id, term) WHERE term IS NOT NULL'],
]);
