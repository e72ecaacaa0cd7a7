/**
 * Staff invitations mailed before mailed tokens carried the purpose `invitation` (docs/accounts.md,
 * Adding staff): their links were stored with the purpose `account`, a sign-up's, so POST
 * /auth/verify-email took them (the account then working with a password nobody knows) and POST
 * /auth/accept-invitation, the route their mail links to, refused them. This gives each such link
 * the purpose `invitation`, so each route takes only its own.
 *
 * A link's row does not say what it was mailed for: an account a tenant admin gave a password to
 * and a sign-up were stored the same way and must keep verifying their address. The mail says it:
 * the API keeps each account mail in the outbox (sealed, since its text carries the token) under
 * the key `staff-invitation-<uuid>` for an invitation (src/domain/identity/account-mails.ts), kept
 * RETENTION_OUTBOX_DELIVERED_HOURS (24 by default, as long as a link works by default). So the
 * links changed are exactly those whose token an invitation mail still kept carries; an invitation
 * whose mail is no longer kept keeps the purpose `account` (docs/accounts.md says so). The runner
 * hands in its sealer (scripts/migrate.ts, scripts/admin.ts, from JWT_SECRET); kept invitation mails
 * and no sealer are refused with nothing changed, as 0074 refuses secrets it cannot seal.
 *
 * The rollback changes nothing: the release before this one takes the purpose `invitation`.
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { ACCOUNT_MAIL_SEALING_PURPOSE, type AccountMailPayload } from '../outbox-message';
import type { MigrationFn } from './helpers';

/** A mailed token as it stands in a mail: 32 random bytes in base64url (src/services/single-use-tokens.ts). */
const MAILED_TOKEN = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

const tokenHash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export const up: MigrationFn = async (qi, context) => {
  await qi.sequelize.transaction(async (transaction) => {
    const mails = await qi.sequelize.query<{ key: string; payload: AccountMailPayload }>(
      `SELECT workflow_id AS key, payload FROM outbox_messages WHERE kind = 'mail' AND workflow_id LIKE 'staff-invitation-%'`,
      { type: QueryTypes.SELECT, transaction },
    );
    if (mails.length === 0) return;
    const sealer = context?.sealer;
    if (!sealer)
      throw new Error(
        `migration 0116 reads ${mails.length} kept invitation mail(s) to tell which links are invitations and needs the API's JWT_SECRET: run it with JWT_SECRET set`,
      );
    // A mail sealed under another JWT_SECRET cannot be opened and names nothing.
    const hashes = mails.flatMap(({ key, payload }) =>
      [...(sealer.open(ACCOUNT_MAIL_SEALING_PURPOSE, key, payload.sealed) ?? '').matchAll(MAILED_TOKEN)].map(([token]) => tokenHash(token)),
    );
    if (hashes.length === 0) return;
    await qi.sequelize.query(
      `UPDATE email_verification_tokens SET purpose = 'invitation' WHERE purpose = 'account' AND token_hash IN (:hashes)`,
      { replacements: { hashes }, transaction },
    );
  });
};

export const down: MigrationFn = async () => undefined;
