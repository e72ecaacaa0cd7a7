/**
 * The contract of the daily audit checkpoints (docs/audit.md, Tamper evidence): once a day each
 * hash chain's head as of midnight UTC is mailed to its admins (a tenant's admins, or the platform
 * admins for the platform's chain), so a chain rewritten later in the database no longer matches
 * what they hold. Runs are started by a Temporal Schedule (src/services/audit-checkpoint-schedule.ts).
 */

export const AUDIT_CHECKPOINT_WORKFLOW_TYPE = 'auditCheckpointWorkflow';

/** The schedule's ID and the prefix of its runs' IDs, one per task queue like the retention schedule's. */
export const auditCheckpointScheduleId = (taskQueue: string) => `${taskQueue}-audit-checkpoint`;

/** Chains one activity reads; the workflow mails them before it asks for the next page. */
export const AUDIT_CHECKPOINT_PAGE = 100;

export interface AuditCheckpointPage {
  /** The checkpoint's instant: chains are taken as they stood just before it. */
  asOf: string;
  /** The tenant after which the page starts (by id); undefined for the first page, which begins with the platform's chain. */
  afterTenantId?: string;
  limit: number;
}

/** One chain's head: its last event before `asOf` and how many events the chain had then. */
export interface AuditCheckpoint {
  /** Null for the platform's own chain. */
  tenantId: string | null;
  head: string;
  count: number;
}

export interface AuditCheckpoints {
  checkpoints: AuditCheckpoint[];
  /** Where the next page starts; null after the last tenant. */
  nextAfterTenantId: string | null;
}

/** Per chain and day: a retried activity or a second run the same day finds its mail sent. */
export const auditCheckpointKey = (tenantId: string | null, day: string) => `audit-checkpoint:${tenantId ?? 'platform'}:${day}`;

export interface AuditCheckpointResult {
  asOf: string;
  chains: number;
}

export type AuditCheckpointWorkflow = () => Promise<AuditCheckpointResult>;
