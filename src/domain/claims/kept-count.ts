/**
 * A list of claims filtered by tenant and stage alone (the staff's list and queues) counts its
 * total from `claim_stage_counts` (migration 0068), the claims per tenant and stage that triggers
 * keep exact at every commit: a few rows instead of every claim of the tenant on every page
 * (docs/performance.md, Lists). Any other filter (a policyholder's own claims, an assignee, a
 * policy) is counted on the claims themselves.
 */

/** The attributes a kept count covers, by the column of `claim_stage_counts` that holds them. */
const KEPT = new Map([
  ['tenantId', 'tenant_id'],
  ['status', 'stage'],
]);

/**
 * SQL: the claims matching equality filters whose values are the parameters `placeholders` names,
 * at most `upTo` (a parameter), as a capped count reads them; null unless the filters are the
 * tenant and at most a stage (src/api/lists/page-statement.ts, KeptCount).
 */
export function keptClaimCount(placeholders: ReadonlyMap<string, string>, upTo: string): string | null {
  if (!placeholders.has('tenantId') || [...placeholders.keys()].some((attribute) => !KEPT.has(attribute))) return null;
  const conditions = [...placeholders].map(([attribute, placeholder]) => `${KEPT.get(attribute)} = ${placeholder}`);
  return `SELECT least(coalesce(sum(count), 0), ${upTo}) AS count FROM claim_stage_counts WHERE ${conditions.join(' AND ')}`;
}
