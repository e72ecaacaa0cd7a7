/**
 * The contract of `privacy-erasure-<erasureId>` runs (docs/privacy.md, Erasure, retention and
 * legal holds): a tenant admin's erasure of one person. The run takes the erasure's steps one
 * activity at a time until none is left or a legal hold stops it; which steps there are is the
 * activity's list, so a step added there needs no change here or in the workflow.
 */
import type { RetentionSetting } from '../shared/tenant-settings';
import { DAY_MS, utcDay } from '../shared/time';
import { workflowRun } from './workflow-run';

export const privacyErasureRun = workflowRun('privacyErasureWorkflow', 'privacy-erasure-');

/**
 * `pending` until its run takes the first step, `running` while steps remain, then `completed`,
 * or `blocked` when a legal hold on the person was found before a step (nothing more changes).
 */
export const ERASURE_STATUSES = ['pending', 'running', 'completed', 'blocked'] as const;
export type ErasureStatus = (typeof ERASURE_STATUSES)[number];

/** The longest reason an erasure or a legal hold keeps. */
export const PRIVACY_REASON_MAX_LENGTH = 500;

/** What replaces free text a person wrote where the row itself is kept. */
export const ERASED_TEXT = '[erased]';
/** The reserved domain of a pseudonymised e-mail address (RFC 2606: it never resolves). */
export const ERASED_EMAIL_DOMAIN = 'erased.invalid';
/**
 * An erased account's password hash: no hash at all, so no password verifies against it (`verifyPassword` answers
 * false for a hash it cannot read), the one the person had included.
 */
export const ERASED_PASSWORD_HASH = 'erased';

/** What one table's rows became: deleted, pseudonymised, or kept as they were (they name the person only by ID). */
export interface TableErasure {
  deleted: number;
  pseudonymised: number;
  kept: number;
  /** The date kept rows of this kind may be deleted (null: nothing of it is kept). */
  keepUntil: string | null;
}

/**
 * Which retention rule (a tenant setting, in years) each kept table falls under; the users row is
 * kept as long as the longest of them, since every kept row points at it.
 */
export const RETENTION_SETTING_OF_TABLE: Record<string, RetentionSetting> = {
  claims: 'retentionYearsClaims',
  claim_notes: 'retentionYearsClaims',
  claim_note_revisions: 'retentionYearsClaims',
  claim_history: 'retentionYearsClaims',
  payments: 'retentionYearsClaims',
  subscriptions: 'retentionYearsInvoices',
  subscription_versions: 'retentionYearsInvoices',
  subscription_changes: 'retentionYearsInvoices',
  invoices: 'retentionYearsInvoices',
  premium_payments: 'retentionYearsInvoices',
  // A person's quotes are kept with their policies, whose prices they explain (docs/quotes.md).
  quotes: 'retentionYearsInvoices',
  acknowledgements: 'retentionYearsAcknowledgements',
  audit_events: 'retentionYearsAuditEvents',
};

export interface PrivacyErasureInput {
  tenantId: string;
  erasureId: string;
}

/** One step's answer: `finished` once no step is left or a hold blocked the erasure. */
export interface ErasureStepResult {
  finished: boolean;
  status: ErasureStatus;
  /** The step just taken, if any. */
  step: string | null;
}

export type PrivacyErasureWorkflow = (input: PrivacyErasureInput) => Promise<ErasureStatus>;

/** When a kept table's rows of an erased person were deleted once their keepUntil day came, and how many. */
export interface KeptRowsDeletion {
  deleted: number;
  /** The instant of the deletion (ISO 8601). */
  deletedAt: string;
}

/**
 * The kept rows of an erased person, deleted together once their keepUntil day has come
 * (docs/privacy.md, Deleting kept records when they fall due), in this order: a group goes only
 * after the groups before it whose rows refer to its rows. `tables` are the tables of the
 * erasure's record whose keepUntil the group falls under; the group is done once its first table
 * is recorded in `keptRowsDeleted`. `audit_events` are no group: they are never deleted.
 */
export const KEPT_ROW_GROUPS = [
  { name: 'claims', tables: ['claims', 'claim_notes', 'claim_note_revisions', 'claim_history', 'payments'] },
  {
    name: 'subscriptions',
    tables: ['subscriptions', 'invoices', 'premium_payments', 'subscription_versions', 'subscription_changes', 'quotes'],
  },
  { name: 'acknowledgements', tables: ['acknowledgements'] },
  // Last: every kept row points at it.
  { name: 'users', tables: ['users'] },
] as const;
export type KeptRowGroup = (typeof KEPT_ROW_GROUPS)[number]['name'];

/** The day a group's kept rows fall due: the earliest keepUntil of its tables (null: none of it is kept). */
export function keptGroupDueOn(tables: Record<string, TableErasure>, group: (typeof KEPT_ROW_GROUPS)[number]): string | null {
  const days = group.tables.map((table) => tables[table]?.keepUntil).filter((day): day is string => !!day);
  return days.length === 0 ? null : days.sort()[0];
}

const addDay = (day: string) => utcDay(Date.parse(`${day}T00:00:00Z`) + DAY_MS);

/**
 * The next day the deletion job should look at the erasure: the earliest due day of a group not
 * yet deleted, but never `today` or before once the job has looked today (a group that had to wait
 * is tried again tomorrow). Null once every kept group is deleted.
 */
export function keptRowsDueOn(
  tables: Record<string, TableErasure>,
  deleted: Record<string, KeptRowsDeletion>,
  lookedOn: string | null = null,
): string | null {
  const days = KEPT_ROW_GROUPS.filter((group) => !deleted[group.tables[0]])
    .map((group) => keptGroupDueOn(tables, group))
    .filter((day): day is string => !!day)
    .map((day) => (lookedOn && day <= lookedOn ? addDay(lookedOn) : day));
  return days.length === 0 ? null : days.sort()[0];
}
