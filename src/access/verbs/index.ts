/**
 * The verbs: who may do each action, by role, one table per resource (docs/architecture.md, Access
 * rules). Routes, GraphQL fields and workflow validators name a verb, never a role list; a caller
 * whose role the verb does not name is refused with 403 (`may` in src/access/core.ts adds the row's
 * rule: 404 for a row the caller may not see). Pure (roles only, no models), so workflow code loads it.
 */
import type { Role } from '../../shared/roles';
import { CALENDAR_VERBS } from './calendars';
import { CATALOG_VERBS } from './catalog';
import { IDENTITY_VERBS } from './identity';
import { NOTIFICATION_VERBS } from './notifications';
import { OPERATION_VERBS } from './operations';
import { PLATFORM_VERBS } from './platform';
import { TENANT_SETTINGS_VERBS } from './tenant-settings';
import { USER_VERBS } from './users';
import { WEBHOOK_VERBS } from './webhooks';
import { AUDIT_VERBS } from './audit';
import { CLAIM_VERBS } from './claims';
import { COMPLIANCE_VERBS } from './compliance';
import { PREMIUM_VERBS } from './premiums';
import { PRIVACY_VERBS } from './privacy';
import { REPORT_VERBS } from './reports';
import { SUBSCRIPTION_VERBS } from './subscriptions';
import { QUOTE_VERBS } from './quotes';
import { LEDGER_VERBS } from './ledger';

const VERBS = {
  ...IDENTITY_VERBS,
  ...USER_VERBS,
  ...TENANT_SETTINGS_VERBS,
  ...NOTIFICATION_VERBS,
  ...CALENDAR_VERBS,
  ...WEBHOOK_VERBS,
  ...CATALOG_VERBS,
  ...PLATFORM_VERBS,
  ...OPERATION_VERBS,
  ...CLAIM_VERBS,
  ...AUDIT_VERBS,
  ...PRIVACY_VERBS,
  ...PREMIUM_VERBS,
  ...SUBSCRIPTION_VERBS,
  ...QUOTE_VERBS,
  ...LEDGER_VERBS,
  ...REPORT_VERBS,
  ...COMPLIANCE_VERBS,
};

export type Verb = keyof typeof VERBS;

const ROLES_OF: Record<Verb, readonly Role[]> = VERBS;

/** The roles that may do `verb`, in the order its table lists them (the OpenAPI document prints them). */
export function rolesOf(verb: Verb): readonly Role[] {
  return ROLES_OF[verb];
}

/** Whether someone of `role` may do `verb` at all (the row they do it on is the access rule's). */
export function roleMay(role: Role, verb: Verb): boolean {
  return ROLES_OF[verb].includes(role);
}
