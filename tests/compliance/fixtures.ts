/** Compliance rows built through the real models, for tests that drive the workflows directly. */
import crypto from 'node:crypto';
import { acknowledgementWorkflowId } from '../../src/contracts/acknowledgement';
import { policyRolloutWorkflowId } from '../../src/contracts/policy-rollout';
import { Acknowledgement, CompliancePolicy, PolicyVersion, Tenant, User } from '../../src/models';

export async function createPublishedVersion(tenant: Tenant, officer: User, dueAt: Date): Promise<PolicyVersion> {
  const policy = await CompliancePolicy.create({ tenantId: tenant.id, title: `Code of conduct ${crypto.randomBytes(3).toString('hex')}`, createdById: officer.id });
  const id = crypto.randomUUID();
  return PolicyVersion.create({
    id,
    tenantId: tenant.id,
    policyId: policy.id,
    versionNumber: 1,
    content: 'Be honest with customers.',
    status: 'published',
    createdById: officer.id,
    publishedAt: new Date(),
    publishedById: officer.id,
    dueAt,
    workflowId: policyRolloutWorkflowId(id),
  });
}

export async function createAcknowledgementRow(version: PolicyVersion, employee: User): Promise<Acknowledgement> {
  const id = crypto.randomUUID();
  return Acknowledgement.create({ id, tenantId: version.tenantId, versionId: version.id, employeeId: employee.id, dueAt: version.dueAt!, workflowId: acknowledgementWorkflowId(id) });
}
