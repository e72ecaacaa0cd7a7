/**
 * Lapse periods (docs/subscriptions.md, Premium timeline): each time an unpaid instalment outlives
 * its grace period the subscription's run records when coverage was suspended, and closes the
 * period when the policy is reinstated. A claim whose incident falls in one is refused, which is
 * then one indexed query. `ended_on` is null while the lapse lasts (and stays null when the
 * subscription is cancelled for non-payment: nothing was covered after it).
 */
import { DataTypes } from 'sequelize';
import { references, timestamps, uuidPrimaryKey, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('lapse_periods', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    subscription_id: { type: DataTypes.UUID, allowNull: false, ...references('subscriptions', 'CASCADE') },
    // The first day not covered, and the day coverage came back (not itself in the lapse).
    started_on: { type: DataTypes.DATEONLY, allowNull: false },
    ended_on: { type: DataTypes.DATEONLY },
    ...timestamps,
  });
  // The run records a lapse once per start day, whatever it retries.
  await qi.addIndex('lapse_periods', ['subscription_id', 'started_on'], { unique: true, name: 'lapse_periods_subscription_start' });
  await qi.sequelize.query(
    'ALTER TABLE lapse_periods ADD CONSTRAINT lapse_periods_order CHECK (ended_on IS NULL OR ended_on >= started_on)',
  );
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('lapse_periods');
};
