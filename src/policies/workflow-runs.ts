/**
 * A workflow run is visible to whoever may see the resource it belongs to, found by the workflow
 * ID its row stores: a policyholder sees only their own subscription and claim runs, an employee
 * their own acknowledgement runs, compliance roles the policy reviews and rollouts and every
 * acknowledgement run, platform admins the onboarding runs, the roles of a saved report's kind its
 * scheduled deliveries.
 */
import Joi from 'joi';
import type { Model, WhereOptions } from 'sequelize';
import { PolicyVersion, ReportDefinition } from '../models';
import { ACKNOWLEDGEMENT_WORKFLOW_ID_PREFIX } from '../contracts/acknowledgement';
import { CLAIM_WORKFLOW_ID_PREFIX } from '../contracts/claim';
import { COMPLIANCE_REMIND_WORKFLOW_ID_PREFIX } from '../contracts/compliance-remind';
import { ONBOARDING_WORKFLOW_ID_PREFIX } from '../contracts/onboarding';
import { POLICY_APPROVAL_WORKFLOW_ID_PREFIX } from '../contracts/policy-approval';
import { POLICY_ROLLOUT_WORKFLOW_ID_PREFIX } from '../contracts/policy-rollout';
import { definitionIdOfRun, REPORT_WORKFLOW_ID_PREFIX } from '../contracts/scheduled-report';
import { SUBSCRIPTION_WORKFLOW_ID_PREFIX } from '../contracts/subscription';
import type { AuthUser } from '../shared/caller';
import { claimPolicy } from './claims';
import { acknowledgementPolicy, policyVersionPolicy } from './compliance';
import { complianceRemindPolicy } from './compliance-requirements';
import type { Policy } from './core';
import { registrationPolicy } from './platform';
import { reportDefinitionPolicy } from './reports';
import { subscriptionPolicy } from './subscriptions';

const UUID = Joi.string().uuid();

/** The row that owns the run, looked up through the policy's own model and rule. */
type OwnerLookup = (caller: AuthUser, workflowId: string) => Promise<boolean>;

function ownerByWorkflowId<M extends Model>(policy: Policy<M, string>): OwnerLookup {
  return async (caller, workflowId) => {
    // Every model that owns runs stores their workflow ID; a generic model type cannot say so.
    const where: WhereOptions = { workflowId };
    const row = await policy.model.findOne({ where });
    return row !== null && policy.canSee(caller, row);
  };
}

const RUN_OWNERS: Array<[prefix: string, lookup: OwnerLookup]> = [
  [SUBSCRIPTION_WORKFLOW_ID_PREFIX, ownerByWorkflowId(subscriptionPolicy)],
  [CLAIM_WORKFLOW_ID_PREFIX, ownerByWorkflowId(claimPolicy)],
  [ACKNOWLEDGEMENT_WORKFLOW_ID_PREFIX, ownerByWorkflowId(acknowledgementPolicy)],
  [POLICY_ROLLOUT_WORKFLOW_ID_PREFIX, ownerByWorkflowId(policyVersionPolicy)],
  [COMPLIANCE_REMIND_WORKFLOW_ID_PREFIX, ownerByWorkflowId(complianceRemindPolicy)],
  [ONBOARDING_WORKFLOW_ID_PREFIX, ownerByWorkflowId(registrationPolicy)],
  [
    POLICY_APPROVAL_WORKFLOW_ID_PREFIX,
    async (caller, workflowId) => {
      // The version row does not store this run's ID: the ID is built from the version's.
      const versionId = workflowId.slice(POLICY_APPROVAL_WORKFLOW_ID_PREFIX.length);
      const version = UUID.validate(versionId).error ? null : await PolicyVersion.findByPk(versionId);
      return version !== null && policyVersionPolicy.canSee(caller, version);
    },
  ],
  [
    REPORT_WORKFLOW_ID_PREFIX,
    async (caller, workflowId) => {
      // A delivery's ID is its definition's schedule ID and the scheduled time.
      const definitionId = definitionIdOfRun(workflowId);
      const definition = UUID.validate(definitionId).error ? null : await ReportDefinition.findByPk(definitionId);
      return definition !== null && reportDefinitionPolicy.canSee(caller, definition);
    },
  ],
];

export async function mayViewRun(caller: AuthUser, workflowId: string): Promise<boolean> {
  const owner = RUN_OWNERS.find(([prefix]) => workflowId.startsWith(prefix));
  return owner !== undefined && owner[1](caller, workflowId);
}
