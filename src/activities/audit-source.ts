import { Context } from '@temporalio/activity';
import type { AuditSource } from '../domain/audit/record';

/**
 * The audit source of a change an activity makes: the run that made it, and as actor the user
 * whose request the run carried out, or else the workflow itself (a timer, a saga step).
 */
export function workflowAuditSource(userId: string | null = null): AuditSource {
  const run = Context.current().info.workflowExecution;
  const machine = run ? ({ type: 'workflow', id: run.workflowId } as const) : ({ type: 'system', id: null } as const);
  return { actor: userId ? { type: 'user', id: userId } : machine, workflowId: run?.workflowId ?? null, runId: run?.runId ?? null };
}
