/**
 * What a user may do right now, as the database says: checked on every authenticated request so
 * a deactivated, demoted or moved user loses access at once, not when their token expires.
 * Kept a few seconds per process (a cache hit costs nothing); a change made through this process
 * forgets the entry at once, a change made elsewhere is seen within AUTHORITY_TTL_MS.
 */
import { LRUCache } from 'lru-cache';
import { Tenant, User } from '../models';
import type { Role } from '../shared/roles';

export interface Authority {
  userId: string;
  tenantId: string | null;
  role: Role;
  sessionVersion: number;
  /** The user is active and so is their tenant (platform admins have none). */
  active: boolean;
}

export const AUTHORITY_TTL_MS = 10_000;
/** Bounds the memory a flood of distinct valid tokens can take. */
const MAX_CACHED = 10_000;

/** Least recently used entries go first; a user who no longer exists is kept too (as null). */
const cache = new LRUCache<string, { authority: Authority | null }>({ max: MAX_CACHED, ttl: AUTHORITY_TTL_MS });

/** The user's tenant, joined in the same query as the user. */
export const WITH_TENANT_STATUS = { include: [{ model: Tenant, as: 'tenant', attributes: ['status'] }] };

/** Active and, unless a platform admin, member of an active tenant (the user loaded WITH_TENANT_STATUS). */
export function isActiveMember(user: User): boolean {
  const tenant = (user as User & { tenant?: Tenant | null }).tenant;
  return user.isActive && (user.tenantId === null || tenant?.status === 'active');
}

/** One primary-key lookup joined to the tenant; null when the user no longer exists. */
async function loadAuthority(userId: string): Promise<Authority | null> {
  const user = await User.findByPk(userId, { attributes: ['id', 'tenantId', 'role', 'isActive', 'sessionVersion'], ...WITH_TENANT_STATUS });
  if (!user) return null;
  return { userId: user.id, tenantId: user.tenantId, role: user.role, sessionVersion: user.sessionVersion, active: isActiveMember(user) };
}

/** `fresh` skips the cache (logins and refreshes, which decide on a new session, read the database). */
export async function currentAuthority(userId: string, options: { fresh?: boolean } = {}): Promise<Authority | null> {
  const cached = options.fresh ? undefined : cache.get(userId);
  if (cached) return cached.authority;
  const authority = await loadAuthority(userId);
  cache.set(userId, { authority });
  return authority;
}

export function forgetAuthority(userId: string): void {
  cache.delete(userId);
}
