/**
 * The limits of four eyes on a claim's money (docs/claim-money.md, Authority) as a tenant holds
 * them: their shape and the reserve authority's defaults. Which role each limit binds, and the rule
 * that applies them, are the access verbs' (src/access/verbs/claim-authority.ts); these stay here
 * because the tenant settings (src/shared/tenant-settings.ts) take their defaults from them.
 */

/**
 * The reserve a role may set alone unless its tenant says otherwise: the tenant settings' defaults,
 * and what runs filed before reserve authority existed count with.
 */
export const DEFAULT_RESERVE_AUTHORITY = { adjuster: 10_000, seniorAdjuster: 50_000 } as const;

/**
 * The limits a claim's run holds, fixed when the claim was filed (the tenant settings' fields of
 * the same names; runs filed before reserve authority have none).
 */
export interface AuthoritySettings {
  approvalLimitAdjuster: number;
  approvalLimitSeniorAdjuster: number;
  reserveAuthorityAdjuster?: number;
  reserveAuthoritySeniorAdjuster?: number;
}
