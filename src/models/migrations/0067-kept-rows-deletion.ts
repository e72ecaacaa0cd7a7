/**
 * The deletion of an erased person's kept rows once their keepUntil day comes (docs/privacy.md,
 * Deleting kept records when they fall due): `privacy_erasures.kept_rows_due_on`, the next day the
 * daily job looks at the erasure (indexed, so a run reads only the erasures due), and
 * `kept_rows_deleted`, per table the rows deleted and when. Completed erasures get their first
 * due day from the keepUntil dates they recorded (audit events are never deleted, so not theirs).
 *
 * The erasure and its legal holds name the person by ID and outlive the users row, as the audit
 * trail does: their `user_id` no longer refers to `users`, or the row could never go.
 */
import { DataTypes, Op } from 'sequelize';
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    await qi.addColumn('privacy_erasures', 'kept_rows_due_on', { type: DataTypes.DATEONLY }, { transaction });
    await qi.addColumn(
      'privacy_erasures',
      'kept_rows_deleted',
      { type: DataTypes.JSONB, allowNull: false, defaultValue: qi.sequelize.literal("'{}'::jsonb") },
      { transaction },
    );
    await qi.sequelize.query(
      `UPDATE privacy_erasures e
          SET kept_rows_due_on = (SELECT min((t.value->>'keepUntil')::date) FROM jsonb_each(e.tables) t
                                   WHERE t.key <> 'audit_events' AND t.value->>'keepUntil' IS NOT NULL)
        WHERE e.status = 'completed'`,
      { transaction },
    );
    await qi.addIndex('privacy_erasures', ['kept_rows_due_on'], {
      name: 'privacy_erasures_kept_rows_due',
      where: { kept_rows_due_on: { [Op.ne]: null } },
      transaction,
    });
    await qi.sequelize.query('ALTER TABLE privacy_erasures DROP CONSTRAINT privacy_erasures_user_id_fkey', { transaction });
    await qi.sequelize.query('ALTER TABLE privacy_legal_holds DROP CONSTRAINT privacy_legal_holds_user_id_fkey', { transaction });
  });
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    // NOT VALID: rows of people whose users row was deleted stay; the key holds for new rows.
    for (const table of ['privacy_erasures', 'privacy_legal_holds'])
      await qi.sequelize.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${table}_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON UPDATE CASCADE NOT VALID`,
        { transaction },
      );
    await qi.removeIndex('privacy_erasures', 'privacy_erasures_kept_rows_due', { transaction });
    await qi.removeColumn('privacy_erasures', 'kept_rows_deleted', { transaction });
    await qi.removeColumn('privacy_erasures', 'kept_rows_due_on', { transaction });
  });
};
