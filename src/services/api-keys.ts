/**
 * API keys (docs/security.md, API keys). A key reads `ifk_<prefix>_<secret>`: the prefix is a
 * short random public id, shown in listings and used to find the key's row; the secret is 32
 * random bytes (base64url) and is stored only as its SHA-256.
 *
 * Why SHA-256 and not argon2 as for passwords: a password is guessable and needs a slow hash
 * to make each offline guess costly; the secret has 256 bits of entropy, so no guess is ever
 * cheap enough to matter and a fast hash is enough, while a slow one would cost every request.
 * The hash is compared in constant time (timingSafeEqual), and a key whose prefix is unknown
 * is compared with a stand-in hash, so an unknown prefix and a wrong secret take the same work.
 *
 * A key speaks for its creator, so it works only while its creator could still issue it: an
 * active, verified member of the key's tenant whose role may issue keys (the verb `createApiKey`,
 * src/access/verbs/identity.ts, which the API passes to `verifyApiKey`). A creator deactivated,
 * demoted, moved or deleted leaves their keys refused (401); a new admin issues new ones.
 *
 * A key's row (with its tenant's status and its creator's standing, read in the same query) is
 * cached per process as users' authority is (createAuthorityCache, API_KEY_CACHE_TTL_MS): a
 * revocation or a change of the creator through this process forgets the entry at once, one made
 * elsewhere (another process, SQL) is seen within 10 s.
 */
import crypto from 'node:crypto';
import { Op } from 'sequelize';
import { ApiKey, Tenant, User } from '../models';
import type { Role } from '../shared/roles';
import { AUTHORITY_TTL_MS, createAuthorityCache } from './authority';

export const API_KEY_SCHEME = 'ifk';
const PREFIX_BYTES = 6;
const SECRET_BYTES = 32;
/** `ifk_` + 12 hex characters + `_` + 43 base64url characters (32 bytes). */
const API_KEY_PATTERN = /^ifk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
/** A key is last used "now" at most once a minute: no write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface NewApiKey {
  prefix: string;
  secretHash: string;
  /** The whole key, answered once and never stored. */
  key: string;
}

export const hashApiKeySecret = (secret: string): string => crypto.createHash('sha256').update(secret).digest('hex');

export function generateApiKey(): NewApiKey {
  const prefix = crypto.randomBytes(PREFIX_BYTES).toString('hex');
  const secret = crypto.randomBytes(SECRET_BYTES).toString('base64url');
  return { prefix, secretHash: hashApiKeySecret(secret), key: `${API_KEY_SCHEME}_${prefix}_${secret}` };
}

/** Whether a bearer token is meant as an API key (and not an access token): its scheme. */
export const looksLikeApiKey = (token: string): boolean => token.startsWith(`${API_KEY_SCHEME}_`);

/** What the cache keeps of a key, by its prefix. */
export interface ApiKeyAuthority {
  keyId: string;
  tenantId: string;
  role: Role;
  createdBy: string;
  secretHash: string;
  expiresAt: Date;
  revoked: boolean;
  tenantSuspended: boolean;
  tenantActive: boolean;
  /** The creator's role while they are still an active, verified member of the key's tenant; null once not. */
  creatorRole: Role | null;
}

async function loadApiKey(prefix: string): Promise<ApiKeyAuthority | null> {
  const key = await ApiKey.findOne({
    where: { prefix },
    include: [
      { model: Tenant, as: 'tenant', attributes: ['status'] },
      { model: User, as: 'creator', attributes: ['tenantId', 'role', 'isActive', 'emailVerifiedAt'] },
    ],
  });
  if (!key) return null;
  const { tenant, creator } = key as ApiKey & { tenant?: Tenant | null; creator?: User | null };
  return {
    keyId: key.id,
    tenantId: key.tenantId,
    role: key.role,
    createdBy: key.createdBy,
    secretHash: key.secretHash,
    expiresAt: key.expiresAt,
    revoked: key.revokedAt !== null,
    tenantSuspended: tenant?.status === 'suspended',
    tenantActive: tenant?.status === 'active',
    creatorRole: creator && creator.isActive && creator.emailVerifiedAt !== null && creator.tenantId === key.tenantId ? creator.role : null,
  };
}

/**
 * How long a key's entry is kept: a second under users' AUTHORITY_TTL_MS, so that a change made
 * elsewhere (a revocation, the creator's demotion) is seen within 10 s of the change even when
 * the read that stored the entry and the request that finds it expired take their time.
 */
const API_KEY_CACHE_TTL_MS = AUTHORITY_TTL_MS - 1_000;

const keys = createAuthorityCache(loadApiKey, { ttlMs: API_KEY_CACHE_TTL_MS });

/** Called once a key's revocation has committed: this process refuses it from the next request. */
export const forgetApiKey = (prefix: string): void => keys.forgetAuthority(prefix);
/** Called once a tenant's suspension has committed: its keys are read anew on this process. */
export const forgetTenantApiKeys = (tenantId: string): void => keys.forgetTenantAuthority(tenantId);
/** Called once a change to a user's role or status has committed: the keys they created are read anew on this process. */
export const forgetApiKeysOf = (userId: string): void => keys.forgetMatching((key) => key.createdBy === userId);

/** Compared when no key has the prefix, so an unknown prefix costs what a wrong secret does. */
const STAND_IN_HASH = hashApiKeySecret(crypto.randomBytes(SECRET_BYTES).toString('base64url'));

export type ApiKeyVerdict = { outcome: 'valid'; key: ApiKeyAuthority } | { outcome: 'suspended' } | { outcome: 'refused' };

/**
 * The key's authority, if the token is a key that exists with this secret, is neither revoked nor
 * expired, carries a role a key may (`mayCarry`), belongs to an active tenant and its creator may
 * still issue it (`mayIssue`, their role; both as the access verbs say). `suspended`: a right key
 * of a suspended tenant.
 */
export async function verifyApiKey(
  token: string,
  mayIssue: (role: Role) => boolean,
  mayCarry: (role: Role) => boolean,
): Promise<ApiKeyVerdict> {
  const parts = API_KEY_PATTERN.exec(token);
  if (!parts) return { outcome: 'refused' };
  const [, prefix, secret] = parts;
  const presented = Buffer.from(hashApiKeySecret(secret), 'hex');
  const matches = (key: ApiKeyAuthority | null | undefined) =>
    crypto.timingSafeEqual(presented, Buffer.from(key?.secretHash ?? STAND_IN_HASH, 'hex')) && key !== null && key !== undefined;
  // A right key in the cache costs no read. Anything else reads the row once: a wrong secret
  // for a cached prefix costs what an unknown prefix does (one read, two comparisons), so the
  // answer's timing does not tell whether the prefix exists.
  let key = keys.cachedAuthority(prefix);
  if (!matches(key)) {
    key = await keys.currentAuthority(prefix, { fresh: true });
    if (!matches(key)) return { outcome: 'refused' };
  }
  // A key of a role no key may carry (a policyholder's, made before POST /api-keys refused it, or by
  // SQL) would act as its creator holding policies of their own: refused like a revoked key.
  if (!key || key.revoked || key.expiresAt.getTime() <= Date.now() || !mayCarry(key.role) || !key.creatorRole || !mayIssue(key.creatorRole))
    return { outcome: 'refused' };
  if (key.tenantSuspended) return { outcome: 'suspended' };
  if (!key.tenantActive) return { outcome: 'refused' };
  return { outcome: 'valid', key };
}

/** When this process last wrote each key's `last_used_at` (bounded as the cache is). */
const lastUsedWrites = new Map<string, number>();
const MAX_LAST_USED_ENTRIES = 10_000;

/**
 * Records that the key was used, at most once a minute per key and process; the statement
 * itself changes nothing if another process wrote within the minute.
 */
export async function noteApiKeyUse(keyId: string): Promise<void> {
  const now = Date.now();
  if (now - (lastUsedWrites.get(keyId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
  if (lastUsedWrites.size >= MAX_LAST_USED_ENTRIES) lastUsedWrites.clear();
  lastUsedWrites.set(keyId, now);
  const since = new Date(now - LAST_USED_RESOLUTION_MS);
  await ApiKey.update(
    { lastUsedAt: new Date(now) },
    { where: { id: keyId, [Op.or]: [{ lastUsedAt: null }, { lastUsedAt: { [Op.lt]: since } }] }, silent: true },
  );
}
