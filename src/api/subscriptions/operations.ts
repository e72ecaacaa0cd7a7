/** The subscription commands as the API exposes them: access verb and input once, for REST and GraphQL alike. */
import { cancelSubscription, subscribe, waiveFirstPremium } from '../../domain/subscriptions/commands';
import { applyPolicyChange, requestPolicyChange, withdrawPolicyChange } from '../../domain/subscriptions/changes/confirm';
import { changeParams, quoteChangeBody } from './changes-schemas';
import { idParams } from '../http/common-schemas';
import { operation } from '../http/operation';
import { cancelSubscriptionBody, createSubscriptionBody, waiveFirstPremiumBody } from './schemas';

export const subscribeOperation = operation({
  name: 'subscriptions.subscribe',
  verb: 'subscribe',
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

/** Staff who may waive (the verb's): the subscription covers before its first instalment is paid. */
export const waiveFirstPremiumOperation = operation({
  name: 'subscriptions.waiveFirstPremium',
  verb: 'waiveFirstPremium',
  params: idParams,
  body: waiveFirstPremiumBody,
  run: waiveFirstPremium,
});

/**
 * A change of a policy: its holder, or the staff of changeAnyPolicy (the command decides, as it sees the policy).
 * Quoted to be confirmed; a change of the holder's contact only costs nothing and is confirmed at once.
 */
export const quoteChangeOperation = operation({
  name: 'subscriptions.quoteChange',
  params: idParams,
  body: quoteChangeBody,
  run: requestPolicyChange,
});
export const applyChangeOperation = operation({ name: 'subscriptions.applyChange', params: changeParams, run: applyPolicyChange });
export const withdrawChangeOperation = operation({ name: 'subscriptions.withdrawChange', params: changeParams, run: withdrawPolicyChange });
