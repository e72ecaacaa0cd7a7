/**
 * `quotes.billing_frequency` and `quotes.duration_months`: the terms a quote's instalments were cut by, its plan's
 * on the day it was priced (docs/quotes.md, Binding). A quote was bound on its plan's terms of the day of binding:
 * a 12-month monthly quote bound after the plan moved to 120 months gave ten years of cover for the premium of one.
 * Binding now refuses a quote whose plan's terms are no longer those it records.
 *
 * Nullable, no default (the running release's inserts leave them out) and not filled in: a quote recorded before
 * says nothing of the terms it was cut by (its plan's may have moved since), and is bound as before. Their checks
 * are added NOT VALID and validated afterwards, so that no scan of quotes holds its writes.
 */
import { BILLING_FREQUENCIES } from '../../shared/instalments';
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  const frequencies = BILLING_FREQUENCIES.map((frequency) => `'${frequency}'`).join(', ');
  await qi.sequelize.query(`ALTER TABLE quotes
    ADD COLUMN IF NOT EXISTS billing_frequency varchar(12),
    ADD COLUMN IF NOT EXISTS duration_months integer`);
  await qi.sequelize.query(`ALTER TABLE quotes
    DROP CONSTRAINT IF EXISTS quotes_billing_frequency_check,
    DROP CONSTRAINT IF EXISTS quotes_duration_months_check,
    ADD CONSTRAINT quotes_billing_frequency_check CHECK (billing_frequency IN (${frequencies})) NOT VALID,
    ADD CONSTRAINT quotes_duration_months_check CHECK (duration_months > 0) NOT VALID`);
  await qi.sequelize.query('ALTER TABLE quotes VALIDATE CONSTRAINT quotes_billing_frequency_check');
  await qi.sequelize.query('ALTER TABLE quotes VALIDATE CONSTRAINT quotes_duration_months_check');
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('ALTER TABLE quotes DROP COLUMN IF EXISTS billing_frequency, DROP COLUMN IF EXISTS duration_months');
};
