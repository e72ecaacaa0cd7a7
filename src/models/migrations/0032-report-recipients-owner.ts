/**
 * Scheduled reports cannot carry data out (docs/reports.md, Who receives a report): a definition
 * has an owner, on whose authority it is sent (its creator until a tenant admin hands it over),
 * and records why it was paused when its owner lost that authority; an address outside the
 * tenant's staff receives a definition's report only once it confirmed, with the link mailed to
 * it, that it wants that report. The link is stored only as its SHA-256, like every mailed token.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('report_definitions', 'owner_id', { type: DataTypes.UUID, ...references('users') });
  await qi.sequelize.query('UPDATE report_definitions SET owner_id = created_by_id');
  await qi.sequelize.query('ALTER TABLE report_definitions ALTER COLUMN owner_id SET NOT NULL');
  // The pause of a definition whose owner may no longer own it (deactivated, or a role without its report).
  await qi.addColumn('report_definitions', 'paused_reason', { type: DataTypes.STRING(40) });
  // The definitions a user change pauses: the owner's.
  await qi.addIndex('report_definitions', ['owner_id']);

  await qi.createTable('report_recipient_confirmations', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    definition_id: { type: DataTypes.UUID, allowNull: false, ...references('report_definitions', 'CASCADE') },
    email: { type: DataTypes.STRING(254), allowNull: false },
    // The link's SHA-256; a new link for the same address replaces it, voiding the old one.
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    // Set when the link is followed: it is then used up, and the address receives the report.
    confirmed_at: { type: DataTypes.DATE },
    ...timestamps,
  });
  await qi.addIndex('report_recipient_confirmations', ['definition_id', 'email'], { unique: true });
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('report_recipient_confirmations');
  await qi.removeColumn('report_definitions', 'paused_reason');
  await qi.removeColumn('report_definitions', 'owner_id');
};
