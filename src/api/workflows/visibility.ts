/**
 * A workflow run is visible to whoever may see the resource it belongs to, found by the
 * workflow ID its row stores: a policyholder sees only their own subscription and claim runs, an
 * employee their own acknowledgement runs, compliance roles the policy reviews and rollouts and
 * every acknowledgement run, platform admins the onboarding runs.
 */
import Joi from 'joi';
import { Acknowledgement, Claim, PolicyVersion, Registration, Subscription } from '../../models';
import { policyApprovalWorkflowId } from '../../contracts/policy-approval';
import { canSee as canSeeClaim } from '../claims/access';
import { COMPLIANCE_ROLES } from '../compliance/routes';
import type { AuthUser } from '../route';
import { canSeeSubscription } from '../subscriptions/access';

const POLICY_APPROVAL_PREFIX = policyApprovalWorkflowId('');
const UUID = Joi.string().uuid();

type TenantRunRule = (user: AuthUser, workflowId: string, tenantId: string) => Promise<boolean>;

const TENANT_RUNS: Array<[prefix: string, rule: TenantRunRule]> = [
  [
    'subscription-',
    async (user, workflowId, tenantId) => {
      const subscription = await Subscription.findOne({ where: { workflowId, tenantId } });
      return subscription !== null && canSeeSubscription(user, subscription);
    },
  ],
  [
    'claim-',
    async (user, workflowId, tenantId) => {
      const claim = await Claim.findOne({ where: { workflowId, tenantId } });
      return claim !== null && canSeeClaim(user, claim);
    },
  ],
  [
    'ack-',
    async (user, workflowId, tenantId) => {
      const ack = await Acknowledgement.findOne({ where: { workflowId, tenantId } });
      return ack !== null && (ack.employeeId === user.id || COMPLIANCE_ROLES.includes(user.role));
    },
  ],
  [
    POLICY_APPROVAL_PREFIX,
    async (user, workflowId, tenantId) => {
      // The version row does not store this run's ID: the ID is built from the version's.
      const versionId = workflowId.slice(POLICY_APPROVAL_PREFIX.length);
      return COMPLIANCE_ROLES.includes(user.role) && !UUID.validate(versionId).error && (await PolicyVersion.count({ where: { id: versionId, tenantId } })) > 0;
    },
  ],
  [
    'policy-rollout-',
    async (user, workflowId, tenantId) =>
      COMPLIANCE_ROLES.includes(user.role) && (await PolicyVersion.count({ where: { workflowId, tenantId } })) > 0,
  ],
];

export async function mayViewRun(user: AuthUser, workflowId: string): Promise<boolean> {
  if (workflowId.startsWith('onboarding-')) return user.role === 'platform_admin' && (await Registration.count({ where: { workflowId } })) > 0;
  const rule = TENANT_RUNS.find(([prefix]) => workflowId.startsWith(prefix));
  return rule !== undefined && user.tenantId !== null && rule[1](user, workflowId, user.tenantId);
}
