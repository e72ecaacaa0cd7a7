/**
 * Authentication events in the audit trail (docs/accounts.md, Authentication events):
 *
 * - `category`: `authentication` for sign-ins, sign-outs, session refreshes, password and address
 *   changes, API keys, second factors and company sign-in; `change` for every other event. The
 *   events recorded before this migration whose action is one of these are set to it.
 * - `client_address`, `user_agent`: where the request came from.
 * - `reason`: why a sign-in failed, as a category (never what was typed).
 * - `occurrences`, `last_occurred_at`: a failure repeated within a window is one row counting
 *   them (first seen = `occurred_at`). So that the count can grow, the append-only trigger lets
 *   an UPDATE through on such a row only: `occurrences` grows, `last_occurred_at` does not go
 *   back, and every other column stays as it was. Any other UPDATE is refused as before.
 */
import { DataTypes } from 'sequelize';
import { auditAppendOnly } from './audit-append-only';
import { concurrentIndexes, type MigrationFn } from './helpers';

/** The actions recorded before this migration that are authentication events. */
const EARLIER_AUTHENTICATION_ACTIONS = [
  'user.password_change',
  'user.password_reset',
  'user.password_set',
  'user.email_change',
  'api_key.create',
  'api_key.revoke',
];

const categoryIndex = concurrentIndexes([['audit_events_tenant_category_occurred', 'audit_events (tenant_id, category, occurred_at, id)']]);

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('audit_events', 'category', { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'change' });
  await qi.addColumn('audit_events', 'client_address', { type: DataTypes.STRING(64) });
  await qi.addColumn('audit_events', 'user_agent', { type: DataTypes.STRING(500) });
  await qi.addColumn('audit_events', 'reason', { type: DataTypes.STRING(40) });
  await qi.addColumn('audit_events', 'occurrences', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 });
  await qi.addColumn('audit_events', 'last_occurred_at', { type: DataTypes.DATE });
  await qi.sequelize.query(
    `ALTER TABLE audit_events ADD CONSTRAINT audit_events_category CHECK (category IN ('change', 'authentication'))`,
  );
  // The trigger refuses every UPDATE; it is off for this one statement only, in its transaction.
  await qi.sequelize.transaction(async (transaction) => {
    await qi.sequelize.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change', { transaction });
    await qi.sequelize.query(`UPDATE audit_events SET category = 'authentication' WHERE action IN (:actions)`, {
      replacements: { actions: EARLIER_AUTHENTICATION_ACTIONS },
      transaction,
    });
    await qi.sequelize.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change', { transaction });
  });
  await qi.sequelize.query(auditAppendOnly(false));
  await categoryIndex.up(qi);
};

export const down: MigrationFn = async (qi) => {
  await categoryIndex.down(qi);
  await qi.sequelize.query(`CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`);
  await qi.sequelize.query('ALTER TABLE audit_events DROP CONSTRAINT audit_events_category');
  for (const column of ['last_occurred_at', 'occurrences', 'reason', 'user_agent', 'client_address', 'category']) {
    await qi.removeColumn('audit_events', column);
  }
};
