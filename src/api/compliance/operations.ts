/**
 * The compliance commands GraphQL also exposes, as the API declares them: access verb and input
 * once, for REST and GraphQL alike.
 */
import { acknowledge, approveVersion, rejectVersion, submitVersionForReview } from '../../domain/compliance/commands';
import { idParams } from '../http/common-schemas';
import { operation } from '../http/operation';
import { acknowledgeBody } from './acknowledgements/schemas';
import { rejectVersionBody } from './policy-reviews/schemas';

export const acknowledgeOperation = operation({
  name: 'compliance.acknowledge',
  verb: 'acknowledgePolicy',
  params: idParams,
  body: acknowledgeBody,
  // The client's address and user agent are kept as evidence with the signature.
  run: (caller, input, deps, request) => acknowledge(caller, { ...input, ...request.client }, deps),
});

export const submitVersionOperation = operation({
  name: 'compliance.submitVersionForReview',
  verb: 'submitPolicyVersion',
  params: idParams,
  run: submitVersionForReview,
});

export const approveVersionOperation = operation({
  name: 'compliance.approveVersion',
  verb: 'reviewPolicyVersion',
  params: idParams,
  run: approveVersion,
});

export const rejectVersionOperation = operation({
  name: 'compliance.rejectVersion',
  verb: 'reviewPolicyVersion',
  params: idParams,
  body: rejectVersionBody,
  run: rejectVersion,
});
