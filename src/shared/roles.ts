/** Roles (docs/architecture.md, Tenancy and roles). Staff is every tenant role but policyholder. */
export const ROLES = [
  'platform_admin',
  'tenant_admin',
  'claims_agent',
  'adjuster',
  'senior_adjuster',
  'claims_manager',
  'compliance_officer',
  /** Decides quotes the rating rules refer (docs/quotes.md, Referral): underwriting is not claims handling. */
  'underwriter',
  /** Keeps the books (docs/ledger.md): closes months, reads the journal and the finance figures, hears of reconciliation differences. */
  'finance',
  'policyholder',
] as const;

export type Role = (typeof ROLES)[number];

export const TENANT_ROLES: Role[] = ROLES.filter((r) => r !== 'platform_admin');
export const STAFF_ROLES: Role[] = TENANT_ROLES.filter((r) => r !== 'policyholder');

export function isStaff(role: Role): boolean {
  return STAFF_ROLES.includes(role);
}
