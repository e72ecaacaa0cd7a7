/**
 * The audience kept in sync and the evidence of an acknowledgement (docs/compliance.md):
 * - `exempt`, the status of an acknowledgement whose employee left the version's audience, and
 *   `run_number`, which counts its runs (one who joins again gets a fresh run, `ack-<id>-<run>`);
 * - what an acknowledgement records: the SHA-256 of the text shown, the client's address and
 *   user agent, the full name the employee typed;
 * - the SHA-256 of each published version's content, and a trigger that refuses any change of the
 *   content once a version is published (the API answers 409 before it gets there).
 */
import { DataTypes } from 'sequelize';
import { MigrationFn } from './helpers';

const setStatuses = (statuses: string) => `ALTER TABLE acknowledgements DROP CONSTRAINT acknowledgements_status,
  ADD CONSTRAINT acknowledgements_status CHECK (status IN (${statuses}))`;
const STATUSES = `'pending', 'acknowledged', 'overdue', 'escalated', 'superseded'`;

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query(setStatuses(`${STATUSES}, 'exempt'`));
  await qi.addColumn('acknowledgements', 'run_number', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 });
  await qi.addColumn('acknowledgements', 'exempted_at', { type: DataTypes.DATE });
  await qi.addColumn('acknowledgements', 'content_sha256', { type: DataTypes.STRING(64) });
  await qi.addColumn('acknowledgements', 'client_address', { type: DataTypes.STRING(64) });
  await qi.addColumn('acknowledgements', 'user_agent', { type: DataTypes.STRING(500) });
  await qi.addColumn('acknowledgements', 'typed_name', { type: DataTypes.STRING(200) });

  await qi.addColumn('policy_versions', 'content_sha256', { type: DataTypes.STRING(64) });
  await qi.sequelize.query(
    `UPDATE policy_versions SET content_sha256 = encode(sha256(convert_to(content, 'UTF8')), 'hex')
     WHERE status IN ('published', 'retired')`,
  );
  // The last line of defence: whatever writes the row, a published text stays the text people acknowledged.
  await qi.sequelize.query(`
    CREATE FUNCTION policy_versions_published_content_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status IN ('published', 'retired') AND NEW.content IS DISTINCT FROM OLD.content THEN
        RAISE EXCEPTION 'the content of a published policy version cannot change' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$`);
  await qi.sequelize.query(`
    CREATE TRIGGER policy_versions_published_content_frozen BEFORE UPDATE OF content ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION policy_versions_published_content_frozen()`);
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('DROP TRIGGER policy_versions_published_content_frozen ON policy_versions');
  await qi.sequelize.query('DROP FUNCTION policy_versions_published_content_frozen()');
  await qi.removeColumn('policy_versions', 'content_sha256');
  for (const column of ['typed_name', 'user_agent', 'client_address', 'content_sha256', 'exempted_at', 'run_number'])
    await qi.removeColumn('acknowledgements', column);
  await qi.sequelize.query(`DELETE FROM acknowledgements WHERE status = 'exempt'`);
  await qi.sequelize.query(setStatuses(STATUSES));
};
