/**
 * A plan's rating tables from a date on (docs/quotes.md, Rating tables), numbered per plan. Never
 * changed once saved: a new price is a new version, so a quote or a bound policy keeps the tables
 * it was priced with.
 */
import type { RatingTables } from '../contracts/quote';
import { createdAtColumn, idColumn, modelOf, required, tenantColumn } from './columns';

const ratingVersionColumns = () => ({
  ...idColumn(),
  ...tenantColumn(),
  planId: required.uuid(),
  number: required.integer(),
  effectiveFrom: required.dateOnly(),
  tables: required.json<RatingTables>(),
  createdById: required.uuid(),
  // The table has no updatedAt: a version is never changed.
  ...createdAtColumn(),
});

export class RatingVersion extends modelOf('rating_versions', ratingVersionColumns, { updatedAt: false }) {}
