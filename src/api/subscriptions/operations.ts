/** The subscription commands as the API exposes them: roles and input once, for REST and GraphQL alike. */
import { cancelSubscription, subscribe } from '../../domain/subscriptions/commands';
import { idParams } from '../http/common-schemas';
import { operation } from '../http/operation';
import { cancelSubscriptionBody, createSubscriptionBody } from './schemas';

export const subscribeOperation = operation({
  name: 'subscriptions.subscribe',
  roles: ['policyholder', 'claims_agent', 'tenant_admin'],
  body: createSubscriptionBody,
  run: (caller, input, deps, request) =>
    subscribe(caller, { ...input, ...(request.waitSeconds && { waitSeconds: request.waitSeconds }) }, deps),
});

/** Its owner or a tenant admin: the access policy of the command decides. */
export const cancelSubscriptionOperation = operation({
  name: 'subscriptions.cancel',
  params: idParams,
  body: cancelSubscriptionBody,
  run: cancelSubscription,
});
