/**
 * The contract of `privacy-export-<exportId>` runs (docs/privacy.md, Subject access export): a
 * copy of every row recorded about one person, gathered into a ZIP in the document store, kept
 * for PRIVACY_EXPORT_KEPT_DAYS for its requester to download once, then removed.
 */
import { workflowRun } from './workflow-run';

export const privacyExportRun = workflowRun('privacyExportWorkflow', 'privacy-export-');

/**
 * `requested` (its run not begun), `gathering`, `ready` (the ZIP is stored), then `downloaded`
 * (its single-use link was followed), `expired` (kept days passed first) or `failed`.
 */
export const PRIVACY_EXPORT_STATUSES = ['requested', 'gathering', 'ready', 'downloaded', 'expired', 'failed'] as const;
export type PrivacyExportStatus = (typeof PRIVACY_EXPORT_STATUSES)[number];

/** How many attempts the run gives its gathering before it fails the export; each stores its ZIP under a key of its own. */
export const PRIVACY_EXPORT_GATHER_ATTEMPTS = 8;

/** How long a ready export waits for its download before its ZIP is removed. */
export const PRIVACY_EXPORT_KEPT_DAYS = 7;

export interface PrivacyExportInput {
  tenantId: string;
  exportId: string;
}

/** What became of the export once its run ends: its final status. */
export type PrivacyExportWorkflow = (input: PrivacyExportInput) => Promise<PrivacyExportStatus>;
