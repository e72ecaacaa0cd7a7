/**
 * The demo tenant `demo` with one user per role, a platform admin and the starter catalog, all
 * sharing DEMO_PASSWORD (README lists them). Safe to run on every start: existing rows stay.
 */
import { Tenant, TenantSettings, User } from '../../src/models';
import { createStarterCatalog } from '../../src/domain/catalog/starter-catalog';
import { Role, TENANT_ROLES } from '../../src/shared/roles';
import { hashPassword } from '../../src/services/passwords';

export const DEMO_PASSWORD = 'Demo-Password-1';
export const DEMO_TENANT_SLUG = 'demo';
export const PLATFORM_ADMIN_EMAIL = 'platform_admin@insurflow.local';

export const demoEmail = (role: Role, tenantSlug = DEMO_TENANT_SLUG) => `${role}@${tenantSlug}.insurflow.local`;

/** Who reports to whom, so manager escalations have someone to reach. */
const DEMO_MANAGERS: Partial<Record<Role, Role>> = {
  claims_agent: 'claims_manager',
  adjuster: 'senior_adjuster',
  senior_adjuster: 'claims_manager',
  claims_manager: 'tenant_admin',
  compliance_officer: 'tenant_admin',
};

export async function seedDemo(): Promise<{ created: boolean }> {
  if (await Tenant.findOne({ where: { slug: DEMO_TENANT_SLUG } })) return { created: false };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await createDemoTenant(DEMO_TENANT_SLUG, 'Demo Insurance Co.', passwordHash);
  await User.findOrCreate({
    where: { email: PLATFORM_ADMIN_EMAIL },
    defaults: { email: PLATFORM_ADMIN_EMAIL, tenantId: null, role: 'platform_admin', fullName: 'Platform Admin', passwordHash },
  });
  return { created: true };
}

/**
 * Another tenant made like the demo one (one user per role at `<role>@<slug>.insurflow.local`,
 * the same managers, the starter catalog), for a caller that needs a tenant nobody else acts in.
 */
export async function seedDemoTenant(slug: string, name: string): Promise<void> {
  await createDemoTenant(slug, name, await hashPassword(DEMO_PASSWORD));
}

async function createDemoTenant(slug: string, name: string, passwordHash: string): Promise<void> {
  const tenant = await Tenant.create({ name, slug, contactEmail: `contact@${slug}.insurflow.local` });
  await TenantSettings.create({ tenantId: tenant.id });
  const users = new Map<Role, User>();
  for (const role of TENANT_ROLES) {
    const fullName = role
      .split('_')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join(' ');
    users.set(
      role,
      await User.create({ tenantId: tenant.id, email: demoEmail(role, slug), role, fullName: `Demo ${fullName}`, passwordHash }),
    );
  }
  for (const [role, managerRole] of Object.entries(DEMO_MANAGERS) as Array<[Role, Role]>) {
    await users.get(role)!.update({ managerId: users.get(managerRole)!.id });
  }
  await createStarterCatalog(tenant.id);
}
