/**
 * Who may see the tenant's business reports and their saved definitions (docs/reports.md): a
 * definition is seen, changed and run by the roles of its kind's report (its verb,
 * src/access/verbs/reports.ts), within its tenant; any other definition is answered as missing (404).
 */
import { Op } from 'sequelize';
import { SAVED_REPORT_KINDS, type SavedReportKind } from '../contracts/scheduled-report';
import { ReportDefinition } from '../models';
import type { AuthUser } from '../shared/caller';
import type { Role } from '../shared/roles';
import { type AccessRule, tenantOf } from './core';
import { NotPermitted } from './refusals';
import { roleMay } from './verbs';
import { REPORT_KIND_VERBS } from './verbs/reports';

/**
 * Whether the role may see the kind of report (its GET route's verb), and so save, change, own and
 * receive a definition of it.
 */
export const seesKind = (role: Role, kind: SavedReportKind) => roleMay(role, REPORT_KIND_VERBS[kind]);

/**
 * Whether a saved report of the kind may reach an address outside the tenant's staff once that address
 * confirms its link. Not the finance report: the whole tenant's money figures are the insurer's
 * unpublished accounts, and an address clicking its own link shows only that it wants them, not that the
 * company agreed to send them; they go to staff whose role may read them (docs/reports.md, Who receives a report).
 */
export const reachesOutsideStaff = (kind: SavedReportKind) => kind !== 'finance';

/** The kinds of report the role may see. */
export const reportKindsOf = (role: Role) => SAVED_REPORT_KINDS.filter((kind) => seesKind(role, kind));

export const reportDefinitionAccess: AccessRule<ReportDefinition> = {
  resource: 'Report definition',
  model: ReportDefinition,
  scope: (caller) => ({ tenantId: tenantOf(caller), kind: { [Op.in]: reportKindsOf(caller.role) } }),
  canSee: (caller, row) => row.tenantId === caller.tenantId && seesKind(caller.role, row.kind),
};

/** A role that may not see a kind of report may not save one either (403). */
export function assertMaySave(caller: AuthUser, kind: SavedReportKind): void {
  if (!seesKind(caller.role, kind)) throw new NotPermitted(`Your role may not see the ${kind} report`);
}

/**
 * Whether a user may own a definition, so that it is sent on their authority: an active user of
 * its tenant whose role may see its kind of report (the delivery checks it before each run).
 */
export function mayOwnReport(
  user: { tenantId: string | null; isActive: boolean; role: Role },
  definition: { tenantId: string; kind: SavedReportKind },
): boolean {
  return user.tenantId === definition.tenantId && user.isActive && seesKind(user.role, definition.kind);
}
