/**
 * The reserve a role may set alone unless its tenant says otherwise (docs/claim-money.md): the
 * tenant settings' defaults, and what runs filed before reserve authority existed count with.
 * Plain numbers: workflow code imports this module.
 */
export const DEFAULT_RESERVE_AUTHORITY = { adjuster: 10_000, seniorAdjuster: 50_000 } as const;
