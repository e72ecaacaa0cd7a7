/**
 * Quotes priced by the risk (docs/quotes.md):
 *
 * - `rating_versions`: a plan's rating tables from a date on (`effective_from`), numbered per plan.
 *   A version is never changed once saved: a new price is a new version, so a bound policy keeps
 *   the tables it was priced with.
 * - `quotes`: a price for one risk on one plan, valid until `valid_until`: `quoted` (may be bound),
 *   `referred` (waiting for an underwriter), `declined`, `lapsed` (nobody decided in time) or
 *   `bound` (a policy was issued from it: `subscription_id`). Amounts are integer minor units.
 * - `subscriptions.quote_id`: the quote a policy was bound from (null: the plan's fixed premium).
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey, inOneTransaction } from './helpers';

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql, transaction) => {
    const tenantId = { type: DataTypes.UUID, allowNull: false, ...references('tenants') };
    const planId = { type: DataTypes.UUID, allowNull: false, ...references('plans') };
    await qi.createTable(
      'rating_versions',
      {
        id: uuidPrimaryKey,
        tenant_id: tenantId,
        plan_id: planId,
        number: { type: DataTypes.INTEGER, allowNull: false },
        effective_from: { type: DataTypes.DATEONLY, allowNull: false },
        /** The tables (src/domain/quotes/rating/tables.ts), validated when saved. */
        tables: { type: DataTypes.JSONB, allowNull: false },
        created_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
        created_at: timestamps.created_at,
      },
      { transaction },
    );
    await sql('CREATE UNIQUE INDEX rating_versions_number ON rating_versions (plan_id, number)');
    await sql('CREATE UNIQUE INDEX rating_versions_effective ON rating_versions (plan_id, effective_from)');

    await qi.createTable(
      'quotes',
      {
        id: uuidPrimaryKey,
        tenant_id: tenantId,
        plan_id: planId,
        /** Null: the plan had no rating tables and the quote is its fixed premium. */
        rating_version_id: { type: DataTypes.UUID, ...references('rating_versions') },
        /** Null for a visitor's quote on the public catalog. */
        requested_by_id: { type: DataTypes.UUID, ...references('users', 'SET NULL') },
        status: { type: DataTypes.STRING(20), allowNull: false },
        /** What was priced: category, sum insured, deductible, postcode, year built, options. */
        risk: { type: DataTypes.JSONB, allowNull: false },
        currency: { type: DataTypes.CHAR(3), allowNull: false },
        premium_minor: { type: DataTypes.BIGINT, allowNull: false },
        /** Each step that moved the price, in order; their amounts add up to the premium. */
        breakdown: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
        /** The premium cut by the plan's billing frequency: `[{ number, amountMinor }]`. */
        instalments: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
        /** Why the rules referred it (empty unless referred). */
        referral_reasons: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
        /** The underwriter's loading on an accepted referral, a fraction ("0.1500"). */
        loading: { type: DataTypes.DECIMAL(6, 4) },
        decision_note: { type: DataTypes.STRING(2000) },
        decided_by_id: { type: DataTypes.UUID, ...references('users', 'SET NULL') },
        decided_at: { type: DataTypes.DATE },
        referral_due_at: { type: DataTypes.DATE },
        valid_until: { type: DataTypes.DATE, allowNull: false },
        subscription_id: { type: DataTypes.UUID },
        ...timestamps,
      },
      { transaction },
    );
    await sql(`ALTER TABLE quotes ADD CONSTRAINT quotes_status
      CHECK (status IN ('quoted', 'referred', 'declined', 'lapsed', 'bound'))`);
    await sql('ALTER TABLE quotes ADD CONSTRAINT quotes_premium_positive CHECK (premium_minor > 0)');
    await sql('CREATE INDEX quotes_requested_by ON quotes (requested_by_id, created_at)');
    await sql('CREATE INDEX quotes_tenant_status ON quotes (tenant_id, status, created_at)');
    await sql('CREATE UNIQUE INDEX quotes_subscription ON quotes (subscription_id) WHERE subscription_id IS NOT NULL');
    // Nullable, so adding it rewrites nothing; its reference is checked without blocking subscription writes.
    await sql('ALTER TABLE subscriptions ADD COLUMN quote_id uuid');
    await sql('ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_quote FOREIGN KEY (quote_id) REFERENCES quotes (id) NOT VALID');
  });
  await qi.sequelize.query('ALTER TABLE subscriptions VALIDATE CONSTRAINT subscriptions_quote');
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    await qi.sequelize.query('ALTER TABLE subscriptions DROP COLUMN quote_id', { transaction });
    await qi.dropTable('quotes', { transaction });
    await qi.dropTable('rating_versions', { transaction });
  });
};
