/**
 * Test data built through the real models, for the tests and the benchmark. Every factory takes
 * optional overrides (the model's own attributes) and creates the parents it is not given, in one
 * tenant: a plan without a category gets one, a claim without a subscription gets a policyholder,
 * a plan and an active subscription. This is the one place that knows each model's required fields.
 *
 * Defaults are numbered (Tenant 3, adjuster-7@example.test) rather than random, so a failing test
 * shows which row is which. Numbers restart with each test file, which has a database of its own.
 * The build compiles this file for the benchmark, so it uses no jest globals.
 */
import crypto from 'node:crypto';
import type { CreationAttributes, Model } from 'sequelize';
import {
  Acknowledgement,
  Category,
  Claim,
  ClaimHistory,
  CompliancePolicy,
  Plan,
  PolicyVersion,
  Subscription,
  Tenant,
  TenantSettings,
  User,
} from '../../src/models';
import type { Config } from '../../src/config';
import { acknowledgementRun } from '../../src/contracts/acknowledgement';
import { claimRun, type ClaimStage } from '../../src/contracts/claim';
import { policyRolloutRun } from '../../src/contracts/policy-rollout';
import type { SubscriptionStatus, SubscriptionTerms } from '../../src/contracts/subscription';
import { issueAccessToken } from '../../src/services/tokens';
import type { AuthUser } from '../../src/shared/caller';
import { DEFAULT_TENANT_SETTINGS } from '../../src/shared/tenant-settings';
import { DAY_MS, utcDay } from '../../src/shared/time';

export const TEST_PASSWORD = 'Password123';
/**
 * argon2id of TEST_PASSWORD at the tests' hashing cost (tests/support/config.ts: 1 MiB, one pass),
 * computed once so factories stay fast. Checking it at a login takes well under a millisecond: a
 * costly hash here would cost every login of the suite its check plus the hashing slot's rest
 * (three times the check, src/services/passwords.ts).
 */
export const TEST_PASSWORD_HASH = '$argon2id$v=19$m=1024,t=1,p=1$xHZejeC5dsJ1YE8a+TbDgQ$I0xG96cyLXJpBUxnUl5HR1N8lXvhYh+c7YSvBUYfwwk';
/** bcrypt (cost 12) of TEST_PASSWORD: a hash from before argon2id, which the next login replaces. */
export const LEGACY_BCRYPT_PASSWORD_HASH = '$2a$12$aokGsl77sBgn39Cm0oLRc.YB1ktS7AqMmN82oTVZ9VW77UEV9uZim';

const counters = new Map<string, number>();
function nextNumber(kind: string): number {
  const n = (counters.get(kind) ?? 0) + 1;
  counters.set(kind, n);
  return n;
}

/**
 * Claim workflow IDs carry the tenant slug, and every test file starts its runs on the one
 * Temporal server of the test run: slugs name when their file began, so numbers that restart per
 * file never name the same run twice.
 */
const SLUG_TAG = Date.now().toString(36);

type Overrides<M extends Model> = Partial<CreationAttributes<M>>;

export async function buildTenant(overrides: Overrides<Tenant> = {}, options: { collectPremiums?: boolean } = {}): Promise<Tenant> {
  const n = nextNumber('tenant');
  const tenant = await Tenant.create({ name: `Tenant ${n}`, slug: `tenant-${n}-${SLUG_TAG}`, ...overrides });
  // Tests of everything but the premium timeline run tenants that collect premiums elsewhere:
  // policies cover at once and never lapse. The product default is on (Insurflow collects,
  // tests/subscriptions/premium-timeline*.test.ts).
  await TenantSettings.create({ tenantId: tenant.id, values: { collectPremiums: options.collectPremiums ?? false } });
  return tenant;
}

/** The tenant of a new user: the one given, none for a platform admin, otherwise a new tenant. */
async function tenantOfNewUser(overrides: Overrides<User>): Promise<string | null> {
  if (overrides.tenantId !== undefined) return overrides.tenantId;
  return overrides.role === 'platform_admin' ? null : (await buildTenant()).id;
}

function userFields(overrides: Overrides<User> & { tenantId: string | null }): CreationAttributes<User> {
  const role = overrides.role ?? 'policyholder';
  const n = nextNumber('user');
  return { email: `${role}-${n}@example.test`, fullName: `${role} ${n}`, passwordHash: TEST_PASSWORD_HASH, ...overrides, role };
}

/** A user, by default a policyholder of a new tenant, who logs in with TEST_PASSWORD. */
export async function buildUser(overrides: Overrides<User> = {}): Promise<User> {
  return User.create(userFields({ ...overrides, tenantId: await tenantOfNewUser(overrides) }));
}

/** The caller a transport makes of a signed-in user, for tests that call commands without HTTP. */
export function callerOf(user: Pick<User, 'id' | 'tenantId' | 'role'>): AuthUser {
  return { id: user.id, tenantId: user.tenantId, role: user.role };
}

/** A new user (`buildUser`) as the caller of a command. */
export async function buildCaller(overrides: Overrides<User> = {}): Promise<AuthUser> {
  return callerOf(await buildUser(overrides));
}

/** `count` users of a tenant in one insert (large audiences); `each(i)` gives the i-th one's overrides. */
export async function buildUsers(count: number, tenantId: string, each: (i: number) => Overrides<User> = () => ({})): Promise<User[]> {
  return User.bulkCreate(Array.from({ length: count }, (_, i) => userFields({ ...each(i), tenantId })));
}

/**
 * A new tenant's admin and policyholder, another tenant's admin and a platform admin: whom a view of
 * one tenant's runs (incidents, drift, repairs) is shown to, refused to or shown across tenants.
 */
export async function buildTenantCast(): Promise<Record<'admin' | 'owner' | 'otherAdmin' | 'platformAdmin', User>> {
  const tenant = await buildTenant();
  const [admin, owner, otherAdmin, platformAdmin] = await Promise.all([
    buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
    buildUser({ tenantId: tenant.id, role: 'policyholder' }),
    buildUser({ tenantId: (await buildTenant()).id, role: 'tenant_admin' }),
    buildUser({ tenantId: null, role: 'platform_admin' }),
  ]);
  return { admin, owner, otherAdmin, platformAdmin };
}

/** A new tenant and its admin: whom most tests of a tenant's API act as. */
export async function buildTenantWithAdmin(
  overrides: { tenant?: Overrides<Tenant>; admin?: Overrides<User> } = {},
): Promise<{ tenant: Tenant; admin: User }> {
  const tenant = await buildTenant(overrides.tenant);
  return { tenant, admin: await buildUser({ ...overrides.admin, tenantId: tenant.id, role: 'tenant_admin' }) };
}

/** The tenant of a given user, so that what is built for them lands in it. */
async function tenantOfUser(userId: string | undefined): Promise<string | undefined> {
  return userId ? ((await User.findByPk(userId, { rejectOnEmpty: true })).tenantId ?? undefined) : undefined;
}

export async function buildCategory(overrides: Overrides<Category> = {}): Promise<Category> {
  const tenantId = overrides.tenantId ?? (await buildTenant()).id;
  return Category.create({ name: `Category ${nextNumber('category')}`, ...overrides, tenantId });
}

/** An active one-year standard plan covering 100,000.00 for 450.00, in its category's tenant. */
export async function buildPlan(overrides: Overrides<Plan> = {}): Promise<Plan> {
  const category = overrides.categoryId
    ? await Category.findByPk(overrides.categoryId, { rejectOnEmpty: true })
    : await buildCategory({ tenantId: overrides.tenantId });
  return Plan.create({
    name: `Plan ${nextNumber('plan')}`,
    coverageLevel: 'standard',
    coverageAmount: '100000.00',
    premium: '450.00',
    durationMonths: 12,
    ...overrides,
    tenantId: category.tenantId,
    categoryId: category.id,
  });
}

/**
 * A subscription written directly, as its run would leave it (the subscription workflow is not
 * under test): active by default, covering since the first of last month for the plan's duration,
 * with the plan's coverage and premium. A pending one has no dates yet.
 */
/** The statuses of a policy whose cover has begun, whatever it became since; a cancelled one may never have begun. */
const COVER_BEGAN = new Set<SubscriptionStatus>(['active', 'lapsed', 'expired']);

export async function buildSubscription(overrides: Overrides<Subscription> = {}): Promise<Subscription> {
  const plan = overrides.planId
    ? await Plan.findByPk(overrides.planId, { rejectOnEmpty: true })
    : await buildPlan({ tenantId: overrides.tenantId ?? (await tenantOfUser(overrides.policyholderId)) });
  const policyholderId = overrides.policyholderId ?? (await buildUser({ tenantId: plan.tenantId, role: 'policyholder' })).id;
  const status = overrides.status ?? 'active';
  const today = new Date();
  const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1));
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + plan.durationMonths, 1));
  const startDate = 'startDate' in overrides ? overrides.startDate : status !== 'pending' ? utcDay(start) : undefined;
  return Subscription.create({
    coverageAmount: plan.coverageAmount,
    premium: plan.premium,
    durationMonths: plan.durationMonths,
    ...(status !== 'pending' && { startDate: utcDay(start), endDate: utcDay(end) }),
    // A policy that is or was active (or renewed) began to cover on its start date, as the run's move to active records it.
    ...((COVER_BEGAN.has(status) || (overrides.renewalCount ?? 0) > 0) && startDate && { coverBeganOn: startDate }),
    ...overrides,
    tenantId: plan.tenantId,
    planId: plan.id,
    policyholderId,
    status,
  });
}

/**
 * The terms of `holderId`'s policy on `plan` as a run is started with them, for the tests that start
 * subscription runs themselves: the plan's name, coverage, premium and duration (no quote, contact or currency).
 */
export function planTerms(plan: Plan, holderId: string, subscriptionId: string): SubscriptionTerms {
  return {
    subscriptionId,
    tenantId: plan.tenantId,
    planId: plan.id,
    planName: plan.name,
    policyholderId: holderId,
    coverageAmount: plan.coverageAmount,
    premium: plan.premium,
    durationMonths: plan.durationMonths,
  };
}

/**
 * A reported claim and its first history entry, as POST /claims writes them (the claim workflow is
 * not started): on an active subscription of a new policyholder unless given one, filed by its
 * policyholder at `filedAt` (now), for an incident on the first day of cover.
 */
export async function buildClaim(overrides: Overrides<Claim> & { filedAt?: Date } = {}): Promise<Claim> {
  const { filedAt = new Date(), ...fields } = overrides;
  const subscription = fields.subscriptionId
    ? await Subscription.findByPk(fields.subscriptionId, { rejectOnEmpty: true })
    : await buildSubscription({ tenantId: fields.tenantId });
  const tenant = await Tenant.findByPk(subscription.tenantId, { rejectOnEmpty: true });
  const claimNumber = fields.claimNumber ?? (await Claim.nextClaimNumber(tenant.id, filedAt.getUTCFullYear()));
  const claim = await Claim.create({
    claimantId: subscription.policyholderId,
    filedById: subscription.policyholderId,
    incidentDate: subscription.startDate!,
    description: 'Water damage in the kitchen',
    amountClaimed: '1000.00',
    workflowId: claimRun.id(tenant.slug, claimNumber),
    ...fields,
    tenantId: tenant.id,
    subscriptionId: subscription.id,
    claimNumber,
  });
  await ClaimHistory.create({
    tenantId: tenant.id,
    claimId: claim.id,
    sequence: 0,
    actorId: claim.filedById,
    fromStatus: null,
    toStatus: 'reported',
    occurredAt: filedAt,
  });
  return claim;
}

/**
 * Moves of a claim after its filing, as its run records them: one history entry each, numbered
 * from 1, a second apart from now, by `actorId`.
 */
export async function buildClaimMoves(claim: Claim, moves: readonly ClaimStage[], actorId: string): Promise<ClaimHistory[]> {
  return ClaimHistory.bulkCreate(
    moves.map((toStatus, step) => ({
      tenantId: claim.tenantId,
      claimId: claim.id,
      sequence: step + 1,
      actorId,
      fromStatus: step === 0 ? 'reported' : moves[step - 1],
      toStatus,
      occurredAt: new Date(Date.now() + step * 1000),
    })),
  );
}

/** A compliance policy written by a compliance officer of its tenant. */
export async function buildCompliancePolicy(overrides: Overrides<CompliancePolicy> = {}): Promise<CompliancePolicy> {
  const tenantId = overrides.tenantId ?? (await tenantOfUser(overrides.createdById)) ?? (await buildTenant()).id;
  const createdById = overrides.createdById ?? (await buildUser({ tenantId, role: 'compliance_officer' })).id;
  return CompliancePolicy.create({ title: `Policy ${nextNumber('policy')}`, ...overrides, tenantId, createdById });
}

/**
 * The next version of a policy (a new policy unless given one), a draft by default. A published
 * version is published by its author now, due in the tenant's default deadline unless `dueAt`
 * says otherwise, with the ID of its rollout run.
 */
export async function buildPolicyVersion(overrides: Overrides<PolicyVersion> = {}): Promise<PolicyVersion> {
  const policy = overrides.policyId
    ? await CompliancePolicy.findByPk(overrides.policyId, { rejectOnEmpty: true })
    : await buildCompliancePolicy({ tenantId: overrides.tenantId, createdById: overrides.createdById });
  const versionNumber =
    overrides.versionNumber ??
    ((await PolicyVersion.max<number | null, PolicyVersion>('versionNumber', { where: { policyId: policy.id } })) ?? 0) + 1;
  const id = overrides.id ?? crypto.randomUUID();
  const createdById = overrides.createdById ?? policy.createdById;
  const published = overrides.status === 'published' && {
    publishedAt: new Date(),
    publishedById: createdById,
    dueAt: new Date(Date.now() + DEFAULT_TENANT_SETTINGS.acknowledgementDeadlineDays * DAY_MS),
    workflowId: policyRolloutRun.id(id),
  };
  return PolicyVersion.create({
    content: `Text of version ${versionNumber}.`,
    ...published,
    ...overrides,
    id,
    tenantId: policy.tenantId,
    policyId: policy.id,
    versionNumber,
    createdById,
  });
}

function acknowledgementFields(
  version: PolicyVersion,
  employeeId: string,
  overrides: Overrides<Acknowledgement> = {},
): CreationAttributes<Acknowledgement> {
  const id = overrides.id ?? crypto.randomUUID();
  return {
    dueAt: version.dueAt!,
    workflowId: acknowledgementRun.id(id),
    ...overrides,
    id,
    tenantId: version.tenantId,
    versionId: version.id,
    employeeId,
  };
}

/** One employee's acknowledgement of a published version (a new one unless given), due when the version is. */
export async function buildAcknowledgement(overrides: Overrides<Acknowledgement> = {}): Promise<Acknowledgement> {
  const version = overrides.versionId
    ? await PolicyVersion.findByPk(overrides.versionId, { rejectOnEmpty: true })
    : await buildPolicyVersion({ tenantId: overrides.tenantId, status: 'published' });
  const employeeId = overrides.employeeId ?? (await buildUser({ tenantId: version.tenantId, role: 'claims_agent' })).id;
  return Acknowledgement.create(acknowledgementFields(version, employeeId, overrides));
}

/** The acknowledgements of a version by each of `employees`, in one insert (large reports). */
export function buildAcknowledgements(version: PolicyVersion, employees: User[]): Promise<Acknowledgement[]> {
  return Acknowledgement.bulkCreate(employees.map((employee) => acknowledgementFields(version, employee.id)));
}

export function bearer(config: Config, user: User): string {
  return `Bearer ${issueAccessToken(config.jwt, user)}`;
}

/** As a sign-in answers it: the token says the user signed in just now, which a change asking for their presence takes instead of the password. */
export function signedInBearer(config: Config, user: User): string {
  return `Bearer ${issueAccessToken(config.jwt, user, undefined, new Date())}`;
}

/** The body of `POST /registrations` for a company with this slug (its admin e-mail `admin@<slug>.test` unless given). */
export function registrationRequest(slug: string, overrides: { companyName?: string; adminEmail?: string; adminPassword?: string } = {}) {
  return {
    companyName: `${slug} Mutual`,
    businessType: 'property insurer',
    phone: '+44 20 7946 0000',
    contactEmail: `hello@${slug}.test`,
    address: '10 Lime Street, London',
    requestedSlug: slug,
    adminEmail: `admin@${slug}.test`,
    adminFullName: 'Alex Admin',
    adminPassword: 'Onboard-Secret-42',
    ...overrides,
  };
}
