/**
 * Who may see the tenant's business reports and their saved definitions (docs/reports.md): a
 * definition is seen, changed and run by the roles of its kind's report, within its tenant; any
 * other definition is answered as missing (404).
 */
import { Op } from 'sequelize';
import { REPORT_KIND_ROLES, type SavedReportKind } from '../contracts/scheduled-report';
import { ReportDefinition } from '../models';
import type { AuthUser } from '../shared/caller';
import type { Role } from '../shared/roles';
import { type AccessRule, tenantOf } from './core';
import { NotPermitted } from './refusals';

export { REPORT_KIND_ROLES };

/** The kinds of report the role may see. */
export const reportKindsOf = (role: Role) =>
  (Object.keys(REPORT_KIND_ROLES) as SavedReportKind[]).filter((kind) => REPORT_KIND_ROLES[kind].includes(role));

/** Every role that may see some report of its tenant: the saved definitions' routes. */
export const SAVED_REPORT_ROLES: Role[] = [...new Set(Object.values(REPORT_KIND_ROLES).flat())];

export const reportDefinitionAccess: AccessRule<ReportDefinition> = {
  resource: 'Report definition',
  model: ReportDefinition,
  scope: (caller) => ({ tenantId: tenantOf(caller), kind: { [Op.in]: reportKindsOf(caller.role) } }),
  canSee: (caller, row) => row.tenantId === caller.tenantId && REPORT_KIND_ROLES[row.kind].includes(caller.role),
};

/** A role that may not see a kind of report may not save one either (403). */
export function assertMaySave(caller: AuthUser, kind: SavedReportKind): void {
  if (!REPORT_KIND_ROLES[kind].includes(caller.role)) throw new NotPermitted(`Your role may not see the ${kind} report`);
}
