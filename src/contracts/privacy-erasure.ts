/**
 * The contract of `privacy-erasure-<erasureId>` runs (docs/privacy.md, Erasure, retention and
 * legal holds): a tenant admin's erasure of one person. The run takes the erasure's steps one
 * activity at a time until none is left or a legal hold stops it; which steps there are is the
 * activity's list, so a step added there needs no change here or in the workflow.
 */
import type { RetentionSetting } from '../shared/tenant-settings';

export const PRIVACY_ERASURE_WORKFLOW_TYPE = 'privacyErasureWorkflow';
/** What every erasure's workflow ID starts with (the access policy finds a run's owner by it). */
export const PRIVACY_ERASURE_WORKFLOW_ID_PREFIX = 'privacy-erasure-';
export const privacyErasureWorkflowId = (erasureId: string) => `${PRIVACY_ERASURE_WORKFLOW_ID_PREFIX}${erasureId}`;

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
  invoices: 'retentionYearsInvoices',
  premium_payments: 'retentionYearsInvoices',
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
