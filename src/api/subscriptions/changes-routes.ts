/**
 * Policy changes and versions (docs/subscriptions.md, Policy changes): quote a change, confirm it
 * (the run applies it on its effective date) or withdraw it while it waits; read a policy's
 * changes and versions. The subscription is looked up among those the caller may see first, so
 * another holder's policy and its changes are 404.
 */
import type { Model, ModelStatic } from 'sequelize';
import { findVisible } from '../../access/core';
import { subscriptionAccess } from '../../access/subscriptions';
import { visibleChange } from '../../domain/subscriptions/changes/confirm';
import { type Subscription, SubscriptionChange, SubscriptionVersion } from '../../models';
import { actionRoute, createRoute } from '../http/write-route';
import { type RouteSpec, tagged } from '../http/route';
import { childListRoute, readRoute } from '../http/row-route';
import { paginate, type PageQuery } from '../lists/pagination';
import { changeParams, changeSchema, changesQuery, versionSchema, versionsQuery } from './changes-schemas';
import { presentChange, presentVersion } from './changes-views';
import { applyChangeOperation, quoteChangeOperation, withdrawChangeOperation } from './operations';

const WHO = 'its policyholder, a claims agent or a tenant admin';

/** A page of the policy's rows of `model` (its changes, its versions), each as `present` shows it. */
const pageOfPolicy =
  <M extends Model>(model: ModelStatic<M>, present: (row: M) => unknown) =>
  async (subscription: Subscription, query: PageQuery) => {
    const page = await paginate(model, query, { tenantId: subscription.tenantId, subscriptionId: subscription.id });
    return { ...page, items: page.items.map(present) };
  };

export function policyChangeRoutes(): RouteSpec[] {
  return tagged('subscriptions', [
    createRoute(quoteChangeOperation, {
      path: '/subscriptions/:id/changes',
      summary: `Quote a change of an active policy (${WHO}): another plan of its category, the property's address, the holder's phone, from an effective date; answers the priced change (quoted), pro rata to the day for the rest of the term; a contact-only change costs nothing and needs no quote: it answers confirmed (applied, or scheduled for a later day)`,
      schema: changeSchema,
      view: presentChange,
    }),
    childListRoute({
      path: '/subscriptions/:id/changes',
      summary: "A policy's changes, newest first, paged (whoever sees the policy)",
      access: subscriptionAccess,
      query: changesQuery,
      schema: changeSchema,
      list: pageOfPolicy(SubscriptionChange, presentChange),
    }),
    readRoute({
      path: '/subscriptions/:id/changes/:changeId',
      summary: 'One change of a policy',
      params: changeParams,
      schema: changeSchema,
      read: async (ctx) => {
        const subscription = await findVisible(ctx.state.user, subscriptionAccess, ctx.state.input.params.id);
        return presentChange(await visibleChange(subscription, ctx.state.input.params.changeId));
      },
    }),
    actionRoute(applyChangeOperation, {
      path: '/subscriptions/:id/changes/:changeId/apply',
      summary: `Confirm a quoted change (${WHO}): the run applies it now when its effective date has come, else holds it until then (scheduled); a stale quote is 409`,
      schema: changeSchema,
      view: presentChange,
    }),
    actionRoute(withdrawChangeOperation, {
      path: '/subscriptions/:id/changes/:changeId/withdraw',
      summary: `Withdraw a confirmed change waiting for its effective date (${WHO}): nothing of it is applied`,
      schema: changeSchema,
      view: presentChange,
    }),
    childListRoute({
      path: '/subscriptions/:id/versions',
      summary: "A policy's versions, oldest first, paged: 1 is the policy as issued, each applied change adds one",
      access: subscriptionAccess,
      query: versionsQuery,
      schema: versionSchema,
      list: pageOfPolicy(SubscriptionVersion, presentVersion),
    }),
  ]);
}
