/** Test data built through the real models. */
import crypto from 'node:crypto';
import { Tenant, User } from '../../src/models';
import type { Role } from '../../src/shared/roles';
import { issueAccessToken } from '../../src/services/tokens';
import type { Config } from '../../src/config';

export const TEST_PASSWORD = 'Password123';
/** bcrypt (cost 12) of TEST_PASSWORD, computed once so factories stay fast. */
export const TEST_PASSWORD_HASH = '$2a$12$aokGsl77sBgn39Cm0oLRc.YB1ktS7AqMmN82oTVZ9VW77UEV9uZim';

export async function createTenant(fields: Partial<{ name: string; slug: string }> = {}): Promise<Tenant> {
  const suffix = crypto.randomBytes(4).toString('hex');
  return Tenant.create({ name: fields.name ?? `Tenant ${suffix}`, slug: fields.slug ?? `tenant-${suffix}` });
}

export async function createUser(tenant: Tenant | null, role: Role, fields: Partial<{ email: string; fullName: string; managerId: string }> = {}): Promise<User> {
  const suffix = crypto.randomBytes(4).toString('hex');
  return User.create({
    tenantId: tenant?.id ?? null,
    role,
    email: fields.email ?? `${role}-${suffix}@example.test`,
    fullName: fields.fullName ?? `${role} ${suffix}`,
    managerId: fields.managerId ?? null,
    passwordHash: TEST_PASSWORD_HASH,
  });
}

export function bearer(config: Config, user: User): string {
  return `Bearer ${issueAccessToken(config.jwt, user)}`;
}
