/**
 * A policy's premium is kept exactly as priced, in its currency's decimals (docs/quotes.md, Binding;
 * docs/premiums.md): a KWD quote priced 195.556 was bound into numeric(12,2) columns and became 195.56,
 * so the policy answered, printed and billed 195.560, 0.004 KWD more than quoted. The columns that hold a
 * policy's premium (a policy's, a version's, a change's premium before and after) become `numeric`, as
 * 0097 made its cover: each amount keeps the scale it was written with, so what was stored reads as before
 * ("250.00") and a three-decimal premium keeps its third. A check keeps at most three decimals (the most
 * any currency has) and the ten integer digits numeric(12,2) held. A plan's premium keeps numeric(12,2):
 * plans take two decimals (`money`, src/api/http/common-schemas.ts).
 * Down: numeric(12,2) again, rounding any third decimal as before.
 */
import { exactDecimalColumns } from './helpers';

const PREMIUM_COLUMNS = [
  ['subscriptions', 'premium'],
  ['subscription_versions', 'premium'],
  ['subscription_changes', 'premium_before'],
  ['subscription_changes', 'premium_after'],
] as const;

export const { up, down } = exactDecimalColumns(PREMIUM_COLUMNS);
