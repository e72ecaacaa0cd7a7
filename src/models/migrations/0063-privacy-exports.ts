/**
 * Subject access exports (docs/privacy.md, Subject access export): one row per request for a
 * copy of everything recorded about a person, moved by its run `privacy-export-<id>`, with the
 * stored ZIP's key and digest once ready, and the hash of its single-use download link.
 */
import { type MigrationFn, inOneTransaction } from './helpers';

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql(`CREATE TABLE privacy_exports (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE ON UPDATE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
      requested_by_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
      status varchar(20) NOT NULL DEFAULT 'requested'
        CHECK (status IN ('requested', 'gathering', 'ready', 'downloaded', 'expired', 'failed')),
      workflow_id varchar(200) NOT NULL UNIQUE,
      run_id varchar(64),
      storage_key varchar(300),
      size_bytes integer,
      sha256 char(64),
      file_count integer,
      failure_reason varchar(500),
      ready_at timestamptz,
      expires_at timestamptz,
      downloaded_at timestamptz,
      link_token_hash char(64),
      link_expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await sql('CREATE INDEX privacy_exports_tenant_user ON privacy_exports (tenant_id, user_id, created_at)');
    await sql('CREATE INDEX privacy_exports_requested_by ON privacy_exports (requested_by_id)');
    // One export of a person being gathered at a time: a repeat waits for it rather than piling up runs.
    await sql(`CREATE UNIQUE INDEX privacy_exports_one_in_progress ON privacy_exports (user_id)
      WHERE status IN ('requested', 'gathering')`);
  });
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('DROP TABLE privacy_exports');
};
