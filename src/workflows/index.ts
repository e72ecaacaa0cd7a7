/** Every workflow the worker runs. One file per process; each is re-exported here. */
export { acknowledgementWorkflow } from './acknowledgement';
export { claimWorkflow } from './claim';
export { onboarding } from './onboarding';
export { policyApprovalWorkflow } from './policy-approval';
export { policyRolloutWorkflow } from './policy-rollout';
export { subscriptionWorkflow } from './subscription';
