/**
 * Audit checkpoints: `<task queue>-audit-checkpoint-<scheduled time>`, started every day at
 * midnight UTC by its Temporal Schedule (src/services/audit-checkpoint-schedule.ts). Mails each
 * hash chain's head as of that midnight to the chain's admins, one mail per chain and day
 * (docs/audit.md, Tamper evidence).
 */
import type { RetryPolicy } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EmailTemplate } from '../activities/notifications';
import { rolesOf } from '../access/verbs';
import { AUDIT_CHECKPOINT_PAGE, auditCheckpointKey, type AuditCheckpoint, type AuditCheckpointResult } from '../contracts/audit-checkpoint';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import { publishStatus } from './support/business-status';

const DAY_MS = 24 * 60 * 60 * 1000;
const FEW_ATTEMPTS: RetryPolicy = { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 };

const { listAuditCheckpoints } = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: FEW_ATTEMPTS });
// A mail already sent under its key is not sent again, whichever attempt or run asks.
const { sendEmail } = proxyActivities<Activities>({ startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS, retry: FEW_ATTEMPTS });

/** A chain's head as of `asOf` (its day in the subject): its template and values, rendered by `sendEmail`. */
function checkpointMail(checkpoint: AuditCheckpoint, asOf: string): { template: EmailTemplate } {
  return {
    template: { type: 'auditCheckpoint', values: { day: asOf.slice(0, 10), asOf, count: checkpoint.count, head: checkpoint.head } },
  };
}

export async function auditCheckpointWorkflow(): Promise<AuditCheckpointResult> {
  publishStatus({ status: 'checkpointing' });
  // Midnight UTC of the run's day: a run started late, or twice, still takes the same checkpoint.
  const asOf = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS).toISOString();
  let afterTenantId: string | undefined;
  let chains = 0;
  for (;;) {
    const page = await listAuditCheckpoints({ asOf, afterTenantId, limit: AUDIT_CHECKPOINT_PAGE });
    for (const checkpoint of page.checkpoints) {
      await sendEmail({
        idempotencyKey: auditCheckpointKey(checkpoint.tenantId, asOf.slice(0, 10)),
        tenantId: checkpoint.tenantId,
        to: { roles: rolesOf(checkpoint.tenantId ? 'operateOwnTenant' : 'operateEveryTenant') },
        ...checkpointMail(checkpoint, asOf),
      });
    }
    chains += page.checkpoints.length;
    if (page.nextAfterTenantId === null) break;
    afterTenantId = page.nextAfterTenantId;
  }
  publishStatus({ status: 'checkpointed', details: `Mailed the heads of ${chains} audit chains as of ${asOf}` });
  return { asOf, chains };
}
