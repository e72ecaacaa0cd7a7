/**
 * A tenant admin's API keys (docs/security.md, API keys): creating one answers the key once and
 * stores only the hash of its secret; revoking one is refused on this process at once and on
 * every other within the authority cache's few seconds.
 */
import { ApiKey } from '../../models';
import { findVisible, tenantOf } from '../../access/core';
import { apiKeyAccess } from '../../access/api-keys';
import { forgetApiKey, generateApiKey } from '../../services/api-keys';
import { unprocessable } from '../../shared/errors';
import type { Role } from '../../shared/roles';
import { audited, createAudited } from '../audited';
import type { Command } from '../command';
import { assertCallerPresent, type Presence } from './presence';

/** A key lives at most a year: a machine credential nobody rotates should still end. */
export const API_KEY_MAX_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;

export interface CreateApiKeyInput extends Presence {
  name: string;
  role: Role;
  expiresAt: Date;
}

/** The key's row as listed, and the key itself: the only time it is shown. */
export type CreatedApiKey = { row: ApiKey; key: string };

/**
 * Makes a key once the admin proves they are there (./presence.ts): a key works for up to a year
 * whatever becomes of the session that made it (a new password ends the sessions, not the keys), so
 * a stolen session alone must not mint one.
 */
export const createApiKey: Command<CreateApiKeyInput, CreatedApiKey> = async (caller, { name, role, expiresAt, ...presence }, deps) => {
  const tenantId = tenantOf(caller);
  await assertCallerPresent(deps, caller, presence, 'Making an API key');
  const now = Date.now();
  if (expiresAt.getTime() <= now || expiresAt.getTime() > now + API_KEY_MAX_LIFETIME_MS) {
    throw unprocessable('A key must expire within a year', [
      { field: 'expiresAt', message: 'must be in the future and at most a year ahead' },
    ]);
  }
  const { prefix, secretHash, key } = generateApiKey();
  const row = await createAudited(deps, 'api_key', tenantId, (transaction) =>
    ApiKey.create({ tenantId, name, role, prefix, secretHash, createdBy: caller.id, expiresAt }, { transaction }),
  );
  return { row, key };
};

/** Revokes a key of the caller's tenant (404 for another tenant's); revoking it again changes nothing. */
export const revokeApiKey: Command<{ id: string }, ApiKey> = async (caller, { id }, deps) => {
  const key = await findVisible(caller, apiKeyAccess, id);
  if (key.revokedAt) return key;
  const before = key.toJSON();
  const revoked = await audited(
    deps,
    (transaction) => key.update({ revokedAt: new Date(), revokedBy: caller.id }, { transaction }),
    (after) => ({ tenantId: after.tenantId, action: 'api_key.revoke', entityType: 'api_key', entityId: after.id, before, after }),
  );
  // This process refuses the key from its next request; every other one within AUTHORITY_TTL_MS.
  forgetApiKey(revoked.prefix);
  return revoked;
};
