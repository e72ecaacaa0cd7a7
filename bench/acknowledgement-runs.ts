/** Acknowledgement runs started straight from the SDK, as a rollout's batch starts them, for the sections that need a floor or a backlog. */
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { acknowledgementRun, AcknowledgementWorkflow, openingAcknowledgementInput } from '../src/contracts/acknowledgement';
import { Acknowledgement, User, type PolicyVersion } from '../src/models';
import { workflowStartOptions } from '../src/services/workflow-start';
import { DEFAULT_TENANT_SETTINGS } from '../src/shared/tenant-settings';
import { START_CONCURRENCY } from '../src/activities/compliance';
import { runConcurrently } from './fixtures';

/** One row of a published version for every adjuster of its tenant, written before any clock starts. */
export async function writeAcknowledgementRows(tenantId: string, version: PolicyVersion): Promise<Acknowledgement[]> {
  const employees = await User.findAll({ where: { tenantId, role: 'adjuster' }, attributes: ['id'] });
  return Acknowledgement.bulkCreate(
    employees.map((employee) => {
      const id = crypto.randomUUID();
      return {
        id,
        tenantId,
        versionId: version.id,
        employeeId: employee.id,
        dueAt: version.dueAt!,
        workflowId: acknowledgementRun.id(id),
      };
    }),
  );
}

/** Each row's run on `taskQueue`, with the options a rollout gives it (the tenant as fairness key), as many in flight as it keeps. */
export function startAcknowledgementRuns(client: Client, taskQueue: string, rows: Acknowledgement[]): Promise<number[]> {
  return runConcurrently(rows.length, START_CONCURRENCY, (i) => {
    const ack = rows[i];
    return client.workflow.start<AcknowledgementWorkflow>(acknowledgementRun.type, {
      ...workflowStartOptions(taskQueue, {
        workflowId: ack.workflowId!,
        tenantId: ack.tenantId,
        status: 'pending',
        summary: `raw ${i}`,
        dueAt: ack.dueAt,
      }),
      args: [openingAcknowledgementInput(ack, DEFAULT_TENANT_SETTINGS)],
    });
  });
}
