/** Policy changes and versions as REST and GraphQL answer them (docs/subscriptions.md, Policy changes). */
import type { SubscriptionChange, SubscriptionVersion } from '../../models';
import { formatMinorUnits } from '../../shared/money';

/** A change as answered: its amounts as decimal strings of its currency (docs/api.md, Money). */
export function presentChange(change: SubscriptionChange) {
  const { premiumDeltaMinor, instalments, ...row } = change.toJSON();
  return {
    ...row,
    premiumDelta: formatMinorUnits(premiumDeltaMinor, change.currency),
    instalments: instalments.map(({ dueDate, amountMinor }) => ({ dueDate, amount: formatMinorUnits(amountMinor, change.currency) })),
  };
}

/** A version as answered: its premium effect as a decimal string. */
export function presentVersion(version: SubscriptionVersion) {
  const { premiumDeltaMinor, fieldChanges, ...row } = version.toJSON();
  return { ...row, changed: fieldChanges, premiumDelta: formatMinorUnits(premiumDeltaMinor, version.currency) };
}
