/**
 * Policy changes during the term (docs/subscriptions.md, Policy changes):
 *
 * - `subscription_changes`: a change a person asked for, priced when asked (`quoted`), confirmed
 *   and waiting for its effective date (`scheduled`), carried out by the run (`applied`), or given
 *   up (`withdrawn`).
 * - `subscription_versions`: the policy's terms from a date on, one row per version. Version 1 is
 *   the policy as issued, written by the update that first dates the subscription (trigger
 *   `subscriptions_first_version`) or the insert of a row already dated (`subscriptions_first_version_dated`),
 *   and by this migration for every subscription already dated. Versions are
 *   numbered in the order they were applied and their effective dates never go back, so the
 *   version in force on a day is the highest number effective on or before it.
 * - `policy_documents`: the documents kept for a version (its schedule, as a PDF in the store).
 * - `claims.subscription_version_id`: the version that covered the claim's incident date (null for
 *   claims filed before versions existed).
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey, inOneTransaction } from './helpers';

/** The terms a version keeps, in the order of the columns of both inserts below. */
const VERSION_TERMS = 'plan_id, coverage_amount, premium, currency, property_address, holder_phone';

const FIRST_VERSION = `CREATE FUNCTION subscriptions_first_version() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO subscription_versions (tenant_id, subscription_id, number, effective_from, ${VERSION_TERMS})
    VALUES (NEW.tenant_id, NEW.id, 1, NEW.start_date, NEW.plan_id, NEW.coverage_amount, NEW.premium, NEW.currency,
            NEW.property_address, NEW.holder_phone)
    ON CONFLICT (subscription_id, number) DO NOTHING;
    RETURN NEW;
  END $$`;

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql, transaction) => {
    const tenantId = { type: DataTypes.UUID, allowNull: false, ...references('tenants') };
    const subscriptionId = { type: DataTypes.UUID, allowNull: false, ...references('subscriptions', 'CASCADE') };
    await qi.createTable(
      'subscription_changes',
      {
        id: uuidPrimaryKey,
        tenant_id: tenantId,
        subscription_id: subscriptionId,
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'quoted' },
        /** The renewal count of the term it was priced for: a quote from before a renewal is stale. */
        term: { type: DataTypes.INTEGER, allowNull: false },
        effective_date: { type: DataTypes.DATEONLY, allowNull: false },
        /** What changes: `planId`, `propertyAddress`, `holderPhone` (the holder's contact is personal data). */
        requested: { type: DataTypes.JSONB, allowNull: false },
        premium_before: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
        premium_after: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
        /** Pro rata for the rest of the term: positive is additional premium, negative a return premium. */
        premium_delta_minor: { type: DataTypes.BIGINT, allowNull: false },
        currency: { type: DataTypes.CHAR(3), allowNull: false },
        /** The instalments the change bills or credits, as priced: `[{ dueDate, amountMinor }]`. */
        instalments: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
        requested_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
        confirmed_by_id: { type: DataTypes.UUID, ...references('users') },
        confirmed_at: { type: DataTypes.DATE },
        applied_at: { type: DataTypes.DATE },
        withdrawn_by_id: { type: DataTypes.UUID, ...references('users') },
        withdrawn_at: { type: DataTypes.DATE },
        ...timestamps,
      },
      { transaction },
    );
    await sql(`ALTER TABLE subscription_changes ADD CONSTRAINT subscription_changes_status
      CHECK (status IN ('quoted', 'scheduled', 'applied', 'withdrawn'))`);
    await sql('CREATE INDEX subscription_changes_subscription ON subscription_changes (subscription_id, created_at)');

    await qi.createTable(
      'subscription_versions',
      {
        id: uuidPrimaryKey,
        tenant_id: tenantId,
        subscription_id: subscriptionId,
        number: { type: DataTypes.INTEGER, allowNull: false },
        effective_from: { type: DataTypes.DATEONLY, allowNull: false },
        plan_id: { type: DataTypes.UUID, allowNull: false, ...references('plans') },
        coverage_amount: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
        premium: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
        currency: { type: DataTypes.CHAR(3), allowNull: false },
        property_address: { type: DataTypes.JSONB },
        holder_phone: { type: DataTypes.STRING(16) },
        /** The change that made it; null for version 1, the policy as issued. */
        change_id: { type: DataTypes.UUID, ...references('subscription_changes') },
        /** What the change moved: `{ field: { before, after } }`. */
        field_changes: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        premium_delta_minor: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
        changed_by_id: { type: DataTypes.UUID, ...references('users') },
        created_at: timestamps.created_at,
      },
      { transaction },
    );
    await sql('CREATE UNIQUE INDEX subscription_versions_number ON subscription_versions (subscription_id, number)');
    await sql('CREATE UNIQUE INDEX subscription_versions_change ON subscription_versions (change_id)');

    await qi.createTable(
      'policy_documents',
      {
        id: uuidPrimaryKey,
        tenant_id: tenantId,
        subscription_id: subscriptionId,
        version_id: { type: DataTypes.UUID, allowNull: false, ...references('subscription_versions', 'CASCADE') },
        kind: { type: DataTypes.STRING(30), allowNull: false },
        language: { type: DataTypes.STRING(5), allowNull: false },
        storage_key: { type: DataTypes.STRING(300), allowNull: false },
        content_type: { type: DataTypes.STRING(100), allowNull: false },
        size_bytes: { type: DataTypes.INTEGER, allowNull: false },
        sha256: { type: DataTypes.CHAR(64), allowNull: false },
        created_at: timestamps.created_at,
      },
      { transaction },
    );
    await sql('CREATE UNIQUE INDEX policy_documents_version_kind ON policy_documents (version_id, kind, language)');
    await sql('CREATE INDEX policy_documents_subscription ON policy_documents (subscription_id, created_at)');

    await sql(FIRST_VERSION);
    await sql(`CREATE TRIGGER subscriptions_first_version AFTER UPDATE OF start_date ON subscriptions
      FOR EACH ROW WHEN (OLD.start_date IS NULL AND NEW.start_date IS NOT NULL) EXECUTE FUNCTION subscriptions_first_version()`);
    // A row inserted already dated (an import, a restore of rows, a fixture) is issued as it is inserted.
    await sql(`CREATE TRIGGER subscriptions_first_version_dated AFTER INSERT ON subscriptions
      FOR EACH ROW WHEN (NEW.start_date IS NOT NULL) EXECUTE FUNCTION subscriptions_first_version()`);
    // Nullable, so adding it rewrites nothing; its reference is checked without blocking claim writes.
    await sql('ALTER TABLE claims ADD COLUMN subscription_version_id uuid');
    await sql(`ALTER TABLE claims ADD CONSTRAINT claims_subscription_version
      FOREIGN KEY (subscription_version_id) REFERENCES subscription_versions (id) NOT VALID`);
  });
  // Outside the transaction that took the trigger's lock on subscriptions, so writes to them never
  // wait for the copy; a subscription dated meanwhile got its version from the trigger.
  await qi.sequelize.query(`INSERT INTO subscription_versions (tenant_id, subscription_id, number, effective_from, ${VERSION_TERMS})
    SELECT tenant_id, id, 1, start_date, ${VERSION_TERMS} FROM subscriptions WHERE start_date IS NOT NULL
    ON CONFLICT (subscription_id, number) DO NOTHING`);
  await qi.sequelize.query('ALTER TABLE claims VALIDATE CONSTRAINT claims_subscription_version');
};

export const down: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql, transaction) => {
    await sql('ALTER TABLE claims DROP COLUMN subscription_version_id');
    await sql('DROP TRIGGER subscriptions_first_version_dated ON subscriptions');
    await sql('DROP TRIGGER subscriptions_first_version ON subscriptions');
    await sql('DROP FUNCTION subscriptions_first_version()');
    await qi.dropTable('policy_documents', { transaction });
    await qi.dropTable('subscription_versions', { transaction });
    await qi.dropTable('subscription_changes', { transaction });
  });
};
