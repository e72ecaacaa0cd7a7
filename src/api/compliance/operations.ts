/**
 * The compliance commands GraphQL also exposes, as the API declares them: roles and input once,
 * for REST and GraphQL alike.
 */
import { POLICY_REVIEWER_ROLES } from '../../contracts/policy-approval';
import { acknowledge, approveVersion, rejectVersion, submitVersionForReview } from '../../domain/compliance/commands';
import { COMPLIANCE_ROLES } from '../../access/compliance';
import { STAFF_ROLES } from '../../shared/roles';
import { idParams } from '../http/common-schemas';
import { operation } from '../http/operation';
import { acknowledgeBody } from './acknowledgements/schemas';
import { rejectVersionBody } from './policy-reviews/schemas';

export const acknowledgeOperation = operation({
  name: 'compliance.acknowledge',
  roles: STAFF_ROLES,
  params: idParams,
  body: acknowledgeBody,
  // The client's address and user agent are kept as evidence with the signature.
  run: (caller, input, deps, request) => acknowledge(caller, { ...input, ...request.client }, deps),
});

export const submitVersionOperation = operation({
  name: 'compliance.submitVersionForReview',
  roles: COMPLIANCE_ROLES,
  params: idParams,
  run: submitVersionForReview,
});

export const approveVersionOperation = operation({
  name: 'compliance.approveVersion',
  roles: POLICY_REVIEWER_ROLES,
  params: idParams,
  run: approveVersion,
});

export const rejectVersionOperation = operation({
  name: 'compliance.rejectVersion',
  roles: POLICY_REVIEWER_ROLES,
  params: idParams,
  body: rejectVersionBody,
  run: rejectVersion,
});
