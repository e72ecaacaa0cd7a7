/**
 * What each tenant's claim documents weigh, kept on the tenant's row (`tenants.document_bytes`) for
 * the upload quota (src/domain/claims/document-quota.ts), which reads it under the row's lock instead of
 * summing every document of the tenant on each upload. A trigger keeps it in step with
 * claim_documents, so every insert and delete counts, a cascade or a process still running the
 * previous code included. Documents are never changed once stored, so updates need no trigger.
 * Set up in one transaction, with the table locked against writes, so no upload falls between the
 * trigger and the first count.
 */
import { MigrationFn, inOneTransaction } from './helpers';

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql('LOCK TABLE claim_documents IN SHARE ROW EXCLUSIVE MODE');
    await sql('ALTER TABLE tenants ADD COLUMN document_bytes BIGINT NOT NULL DEFAULT 0');
    await sql(`CREATE FUNCTION claim_documents_count_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          UPDATE tenants SET document_bytes = document_bytes + NEW.size_bytes WHERE id = NEW.tenant_id;
        ELSE
          UPDATE tenants SET document_bytes = document_bytes - OLD.size_bytes WHERE id = OLD.tenant_id;
        END IF;
        RETURN NULL;
      END $$`);
    await sql(`CREATE TRIGGER claim_documents_count_bytes AFTER INSERT OR DELETE ON claim_documents
      FOR EACH ROW EXECUTE FUNCTION claim_documents_count_bytes()`);
    await sql(`UPDATE tenants SET document_bytes = counted.bytes
      FROM (SELECT tenant_id, sum(size_bytes) AS bytes FROM claim_documents GROUP BY tenant_id) AS counted
      WHERE tenants.id = counted.tenant_id`);
  });
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('DROP TRIGGER claim_documents_count_bytes ON claim_documents');
  await qi.sequelize.query('DROP FUNCTION claim_documents_count_bytes()');
  await qi.removeColumn('tenants', 'document_bytes');
};
