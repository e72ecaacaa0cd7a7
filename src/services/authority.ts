/**
 * What a user may do right now, as the database says: checked on every authenticated request so
 * a deactivated, demoted or moved user, and a login that was ended, lose access at once, not when
 * their token expires.
 * Kept a few seconds per process (a cache hit costs nothing); a change made through this process
 * forgets the entry at once, a change made elsewhere is seen within AUTHORITY_TTL_MS.
 */
import { LRUCache } from 'lru-cache';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from '../config';
import { Tenant, User } from '../models';
import { runPrepared } from '../models/prepared-statement';
import type { Role } from '../shared/roles';

export interface Authority {
  userId: string;
  tenantId: string | null;
  role: Role;
  sessionVersion: number;
  /** The logins (refresh-token families, an access token's `fid`) ended by a logout or a replayed refresh token while their access tokens may still live. */
  endedLogins: ReadonlySet<string>;
  /** The user is active and so is their tenant (platform admins have none). */
  active: boolean;
  /** The user would be active but their tenant is suspended: answered 403 `tenant_suspended`, not 401. */
  tenantSuspended: boolean;
}

export const AUTHORITY_TTL_MS = 10_000;
/** Bounds the memory a flood of distinct valid tokens can take. */
const MAX_CACHED = 10_000;

/** The user's tenant, joined in the same query as the user. */
export const WITH_TENANT_STATUS = { include: [{ model: Tenant, as: 'tenant', attributes: ['status'] }] };

/** What membership asks of a user: their own flags and their tenant's status (null for a platform admin). */
interface Membership {
  isActive: boolean;
  verified: boolean;
  tenantId: string | null;
  tenantStatus: string | null | undefined;
}

const membershipOf = (user: User): Membership => ({
  isActive: user.isActive,
  verified: user.emailVerifiedAt !== null,
  tenantId: user.tenantId,
  tenantStatus: (user as User & { tenant?: Tenant | null }).tenant?.status,
});

const activeMember = (m: Membership) => m.isActive && m.verified && (m.tenantId === null || m.tenantStatus === 'active');
const suspendedMember = (m: Membership) => m.isActive && m.verified && m.tenantStatus === 'suspended';

/** Active, with a verified e-mail and, unless a platform admin, member of an active tenant (the user loaded WITH_TENANT_STATUS). */
export const isActiveMember = (user: User): boolean => activeMember(membershipOf(user));

/** Active and verified, but member of a suspended tenant (the user loaded WITH_TENANT_STATUS). */
export const isSuspendedMember = (user: User): boolean => suspendedMember(membershipOf(user));

/**
 * The user's refresh-token families revoked within the longest an access token lives: an access
 * token of such a login was issued before its revocation, so it is refused. Older ones can have no
 * live access token left; the bound keeps the list to the logins ended in the last hour
 * (index refresh_tokens_user_revoked, migration 0104).
 */
const ENDED_LOGINS = `ARRAY(SELECT DISTINCT ended.family_id::text FROM refresh_tokens ended WHERE ended.user_id = u.id
     AND ended.revoked_at IS NOT NULL AND ended.revoked_at > now() - make_interval(secs => ${MAX_ACCESS_TOKEN_TTL_SECONDS}))`;

/**
 * One primary-key lookup joined to the tenant, with the logins ended lately. A prepared statement
 * rather than Sequelize's findByPk with its include: each caller's entry is read again every
 * AUTHORITY_TTL_MS while they call, and building that query and its instances took 5-14 % of the
 * API's CPU under 100 policyholders' starts (docs/performance.md, Starts).
 */
const AUTHORITY_SQL = `SELECT u.id, u.tenant_id AS "tenantId", u.role, u.session_version AS "sessionVersion",
       u.is_active AS "isActive", u.email_verified_at IS NOT NULL AS verified, t.status AS "tenantStatus",
       ${ENDED_LOGINS} AS "endedLogins"
  FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id
 WHERE u.id = $1`;

type AuthorityRow = Membership & Pick<Authority, 'role' | 'sessionVersion'> & { id: string; endedLogins: string[] };

/** The user's authority as the database holds it now; null when the user no longer exists. */
export async function loadAuthority(userId: string): Promise<Authority | null> {
  const [row] = await runPrepared<AuthorityRow>(User.sequelize!, AUTHORITY_SQL, [userId]);
  if (!row) return null;
  return {
    userId: row.id,
    tenantId: row.tenantId,
    role: row.role,
    sessionVersion: row.sessionVersion,
    endedLogins: new Set(row.endedLogins),
    active: activeMember(row),
    tenantSuspended: suspendedMember(row),
  };
}

export interface AuthorityCache {
  /** `fresh` skips the cache (logins and refreshes, which decide on a new session, read the database). */
  currentAuthority(userId: string, options?: { fresh?: boolean }): Promise<Authority | null>;
  /** Called once a change to the user's authority has committed: the next request reads it anew. */
  forgetAuthority(userId: string): void;
  /** Called once a change to a whole tenant (its suspension) has committed: every member's next request reads anew. */
  forgetTenantAuthority(tenantId: string): void;
}

/** AuthorityCache over any principal's authority, keyed by the principal's id. */
export interface PrincipalCache<A> {
  currentAuthority(id: string, options?: { fresh?: boolean }): Promise<A | null>;
  /** The entry as cached, without reading the database: undefined when there is none. */
  cachedAuthority(id: string): A | null | undefined;
  forgetAuthority(id: string): void;
  forgetTenantAuthority(tenantId: string): void;
  /** Forgets every entry whose authority `matches` (a scan: for changes rarer than requests). */
  forgetMatching(matches: (authority: A) => boolean): void;
}

/** How long before its end an entry in use is read again in the background (see createAuthorityCache). */
const AUTHORITY_REFRESH_AHEAD_MS = 2_000;

/**
 * A cache of `load` in front of the database. A load that was still running when an entry was
 * forgotten read the authority from before the change, so it must not store it: every load and
 * every invalidation takes the next tick of one counter, a load stores its result only if no
 * invalidation came after it began and no later-begun load has stored one already (a demotion
 * is never written back by a slow read, and a slow read never replaces a newer one).
 *
 * An entry in use is renewed before it expires: the first request that finds it within
 * `refreshAheadMs` of its end starts one load in the background and is answered from the entry,
 * still within its time. Without that, every request of a busy user that arrived in the moment
 * the entry expired missed at once and each read the database (a burst of up to one read per
 * open connection every ttlMs, queued on the pool ahead of the requests' own queries: the tail
 * of the plan list under load, docs/performance.md). A change made elsewhere is still seen within
 * ttlMs of the read that stored the entry.
 */
export function createAuthorityCache(
  load?: (userId: string) => Promise<Authority | null>,
  options?: { ttlMs?: number; refreshAheadMs?: number },
): AuthorityCache;
/** The same cache for another principal's authority (an API key's, by its prefix: src/services/api-keys.ts). */
export function createAuthorityCache<A extends { tenantId: string | null }>(
  load: (id: string) => Promise<A | null>,
  options?: { ttlMs?: number; refreshAheadMs?: number },
): PrincipalCache<A>;
export function createAuthorityCache<A extends { tenantId: string | null }>(
  load: (id: string) => Promise<A | null> = loadAuthority as unknown as (id: string) => Promise<A | null>,
  { ttlMs = AUTHORITY_TTL_MS, refreshAheadMs = AUTHORITY_REFRESH_AHEAD_MS } = {},
): PrincipalCache<A> {
  /** Least recently used entries go first; a user who no longer exists is kept too (as null). */
  const cache = new LRUCache<string, { authority: A | null; loadBegan: number }>({ max: MAX_CACHED, ttl: ttlMs });
  let tick = 0;
  // One for all users: an invalidation only keeps loads running at that moment from being stored.
  let lastInvalidation = 0;
  /** Users whose entry a background load is renewing, so a burst of requests starts one. */
  const renewing = new Set<string>();

  async function loadAndStore(userId: string): Promise<A | null> {
    const loadBegan = ++tick;
    const authority = await load(userId);
    const stored = cache.peek(userId);
    if (lastInvalidation < loadBegan && (!stored || stored.loadBegan < loadBegan)) cache.set(userId, { authority, loadBegan });
    return authority;
  }

  function forgetMatching(matches: (authority: A) => boolean): void {
    lastInvalidation = ++tick;
    // At most MAX_CACHED entries, and the changes that call this (a suspension, a creator's
    // demotion) are rare: a scan costs less than an index kept per tenant or creator.
    const matching = [...cache.entries()].filter(([, entry]) => entry.authority !== null && matches(entry.authority));
    for (const [id] of matching) cache.delete(id);
  }

  function renew(userId: string): void {
    renewing.add(userId);
    // A failed renewal stores nothing: the entry expires as it would have, and the next request reads (and fails) itself.
    loadAndStore(userId)
      .catch(() => undefined)
      .finally(() => renewing.delete(userId));
  }

  return {
    async currentAuthority(userId, options = {}) {
      const cached = options.fresh ? undefined : cache.get(userId);
      if (!cached) return loadAndStore(userId);
      if (cache.getRemainingTTL(userId) <= refreshAheadMs && !renewing.has(userId)) renew(userId);
      return cached.authority;
    },
    cachedAuthority(userId) {
      return cache.get(userId)?.authority;
    },
    forgetAuthority(userId) {
      lastInvalidation = ++tick;
      cache.delete(userId);
    },
    forgetTenantAuthority(tenantId) {
      forgetMatching((authority) => authority.tenantId === tenantId);
    },
    forgetMatching,
  };
}

/** The process's cache, used by the API's authentication and by every change of authority. */
export const { currentAuthority, forgetAuthority, forgetTenantAuthority } = createAuthorityCache();
