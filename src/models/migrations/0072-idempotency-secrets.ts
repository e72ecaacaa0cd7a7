/**
 * Answers stored for Idempotency-Key replays before the routes declared their secret fields kept
 * the secret itself (docs/security.md, Secrets and the idempotency store): the API key of `POST
 * /api-keys`, the signing secret of `POST /webhooks/endpoints` and of its rotation, and the
 * download link of a privacy export. Removed from the rows still kept (up to 24 hours old), the
 * rest of each answer stays, so a repeat answers as it would now. Paths as the API stored them.
 */
import { MigrationFn } from './helpers';

const STORED_SECRETS: ReadonlyArray<[field: string, paths: string]> = [
  ['key', "path = '/api/v1/api-keys'"],
  ['secret', "(path = '/api/v1/webhooks/endpoints' OR path LIKE '/api/v1/webhooks/endpoints/%/rotate-secret')"],
  ['url', "path LIKE '/api/v1/privacy/exports/%/link'"],
];

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    for (const [field, paths] of STORED_SECRETS) {
      await qi.sequelize.query(
        `UPDATE idempotency_records SET response_body = response_body - '${field}' WHERE method = 'POST' AND ${paths} AND response_body IS NOT NULL`,
        { transaction },
      );
    }
  });
};

/** A secret removed is not put back. */
export const down: MigrationFn = async () => {};
