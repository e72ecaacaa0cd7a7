/**
 * A policy's cover is kept exactly as given, in its currency's decimals (docs/quotes.md, Binding): the
 * sum insured of a quote bound in KWD, "123456.789", was stored in numeric(12,2) columns and became
 * 123456.79, so the policy covered 0.001 KWD more than the risk quoted and every answer, schedule and
 * claim judged that. The columns of a policy's cover (a policy's, a version's, a change's cover after)
 * become `numeric`, which keeps each amount at the scale it was written with: what was stored stays
 * as it reads ("150000.00"), a three-decimal amount keeps its third. A check keeps at most three
 * decimals (the most any currency has) and the ten integer digits numeric(12,2) held. A plan's cover
 * keeps numeric(12,2): plans take two decimals (`money`, src/api/http/common-schemas.ts).
 * Down: numeric(12,2) again, rounding any third decimal as before.
 */
import { exactDecimalColumns } from './helpers';

const COVER_COLUMNS = [
  ['subscriptions', 'coverage_amount'],
  ['subscription_versions', 'coverage_amount'],
  ['subscription_changes', 'coverage_after'],
] as const;

export const { up, down } = exactDecimalColumns(COVER_COLUMNS);
