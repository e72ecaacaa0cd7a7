/**
 * Who may run each business report and keep saved ones (docs/reports.md). A tenant's report kind
 * is run by its verb's roles, and a saved definition of it is seen, changed, run and owned by them
 * alone (src/access/reports.ts); the saved reports' routes let in anyone who may run some kind.
 */
import type { SavedReportKind } from '../../contracts/scheduled-report';
import { type Role, STAFF_ROLES } from '../../shared/roles';

/** Anyone who may run some report of their tenant: claims managers, tenant admins, compliance officers, finance. */
const SAVED_REPORT_KEEPERS: readonly Role[] = ['claims_manager', 'tenant_admin', 'compliance_officer', 'finance'];

export const REPORT_VERBS = {
  runClaimsReport: ['claims_manager', 'tenant_admin'],
  runPoliciesReport: ['tenant_admin'],
  runComplianceReport: ['compliance_officer', 'tenant_admin'],
  // Claims staff chase overdue premiums (the inbox lists them), so their managers see the money too.
  runPremiumsReport: ['claims_manager', 'tenant_admin'],
  /** The insurer's figures from the books: those who keep them (docs/ledger.md). */
  runFinanceReport: ['finance', 'tenant_admin'],
  /** The platform report belongs to no tenant. */
  runPlatformReport: ['platform_admin'],
  listReportDefinitions: SAVED_REPORT_KEEPERS,
  saveReportDefinition: SAVED_REPORT_KEEPERS,
  viewReportDefinition: SAVED_REPORT_KEEPERS,
  changeReportDefinition: SAVED_REPORT_KEEPERS,
  deleteReportDefinition: SAVED_REPORT_KEEPERS,
  runReportDefinition: SAVED_REPORT_KEEPERS,
  /** Hand a saved report over to another owner. */
  handOverReportDefinition: ['tenant_admin'],
  /** Receive a saved report sent to one's address without confirming it first: the tenant's staff (anyone else confirms). */
  receiveReportUnconfirmed: STAFF_ROLES,
} as const satisfies Record<string, readonly Role[]>;

/** The verb that runs each kind of a tenant's report: its roles see, save and own definitions of it. */
export const REPORT_KIND_VERBS = {
  claims: 'runClaimsReport',
  policies: 'runPoliciesReport',
  compliance: 'runComplianceReport',
  premiums: 'runPremiumsReport',
  finance: 'runFinanceReport',
} as const satisfies Record<SavedReportKind, keyof typeof REPORT_VERBS>;
