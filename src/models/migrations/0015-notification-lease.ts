/**
 * A notification is claimed for one delivery (status `sending` until `lease_until`) instead of
 * being locked for it, so no transaction stays open while a mail server or webhook answers
 * (src/activities/notifications.ts). Existing rows keep their status and have no lease.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('notifications', 'lease_until', { type: DataTypes.DATE });
};

export const down: MigrationFn = async (qi) => {
  // A row left `sending` by a claim is, without a lease, a failed attempt for the code before this.
  await qi.sequelize.query(`UPDATE notifications SET status = 'failed' WHERE status = 'sending'`);
  await qi.removeColumn('notifications', 'lease_until');
};
