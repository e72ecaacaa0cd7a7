/** Policy changes and versions as REST and GraphQL answer them (docs/subscriptions.md, Policy changes). */
import type { SubscriptionChange, SubscriptionVersion } from '../../models';
import { formatClaimAmount, formatMinorUnits } from '../../shared/money';

/** A change as answered: its amounts as decimal strings of its currency (docs/api.md, Money; the rows keep two decimals in any). */
export function presentChange(change: SubscriptionChange) {
  // The refusal's facts are the mail's; the answer gives the reason as words (notAppliedReason).
  const { premiumDeltaMinor, instalments, notAppliedRefusal: _facts, ...row } = change.toJSON();
  return {
    ...row,
    premiumBefore: formatClaimAmount(row.premiumBefore, change.currency),
    premiumAfter: formatClaimAmount(row.premiumAfter, change.currency),
    coverageAfter: row.coverageAfter === null ? null : formatClaimAmount(row.coverageAfter, change.currency),
    premiumDelta: formatMinorUnits(premiumDeltaMinor, change.currency),
    instalments: instalments.map(({ dueDate, amountMinor }) => ({ dueDate, amount: formatMinorUnits(amountMinor, change.currency) })),
  };
}

/** A version as answered: its cover, premium and premium effect as decimal strings of its currency. */
export function presentVersion(version: SubscriptionVersion) {
  const { premiumDeltaMinor, fieldChanges, ...row } = version.toJSON();
  return {
    ...row,
    coverageAmount: formatClaimAmount(row.coverageAmount, version.currency),
    premium: formatClaimAmount(row.premium, version.currency),
    changed: fieldChanges,
    premiumDelta: formatMinorUnits(premiumDeltaMinor, version.currency),
  };
}
