/**
 * An employee's acknowledgement with its run started as a rollout starts it (it opens itself and
 * sends the notice), against a stack with a worker: for tests of what the notice's link does.
 */
import { acknowledgementRun, type AcknowledgementWorkflow, openingAcknowledgementInput } from '../../src/contracts/acknowledgement';
import { DEFAULT_TENANT_SETTINGS } from '../../src/shared/tenant-settings';
import type { Acknowledgement, Tenant, User } from '../../src/models';
import { buildAcknowledgement, buildCompliancePolicy, buildPolicyVersion, buildUser } from './factories';
import type { ReceivedMail } from './smtp-sink';
import type { TestStack } from './stack';

/** How the notice of a new policy to acknowledge begins its subject. */
export const ACKNOWLEDGEMENT_NOTICE_SUBJECT_PREFIX = 'New policy to acknowledge';

export async function acknowledgementWithNotice(
  stack: TestStack,
  tenant: Tenant,
  options: { fullName?: string; title?: string; content?: string } = {},
): Promise<{ employee: User; ack: Acknowledgement; notice: ReceivedMail }> {
  const officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
  const employee = await buildUser({ tenantId: tenant.id, role: 'claims_agent', ...(options.fullName && { fullName: options.fullName }) });
  const policy = await buildCompliancePolicy({
    tenantId: tenant.id,
    createdById: officer.id,
    ...(options.title && { title: options.title }),
  });
  const version = await buildPolicyVersion({
    policyId: policy.id,
    status: 'published',
    audienceRoles: ['claims_agent'],
    ...(options.content && { content: options.content }),
  });
  const ack = await buildAcknowledgement({ versionId: version.id, employeeId: employee.id });
  await stack.temporal.workflow.start<AcknowledgementWorkflow>(acknowledgementRun.type, {
    taskQueue: stack.config.temporal.taskQueue,
    workflowId: ack.workflowId!,
    args: [openingAcknowledgementInput(ack, DEFAULT_TENANT_SETTINGS)],
  });
  const notice = await stack.smtp.waitFor(
    (m) => m.to.includes(employee.email) && m.subject.startsWith(ACKNOWLEDGEMENT_NOTICE_SUBJECT_PREFIX),
  );
  return { employee, ack, notice };
}
