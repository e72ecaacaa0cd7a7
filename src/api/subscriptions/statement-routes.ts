/**
 * A policy's statement from the books (docs/ledger.md, Reading the books): billed, voided, paid,
 * refunded, owed and credit, with its premium entries. Its holder sees their own and the staff
 * every policy of their tenant, as they see its invoices: the subscription is looked up through
 * its access rule first, so another holder's or another tenant's is 404.
 */
import { findVisible } from '../../access/core';
import { subscriptionAccess } from '../../access/subscriptions';
import { subscriptionStatement } from '../../domain/ledger/statement';
import { idParams } from '../http/common-schemas';
import { route, type RouteSpec, tagged } from '../http/route';
import { statementSchema } from '../ledger/schemas';

export function subscriptionStatementRoutes(): RouteSpec[] {
  return tagged('subscriptions', [
    route({
      method: 'get',
      path: '/subscriptions/:id/statement',
      summary:
        "A policy's statement from the books (its holder or staff): per currency billed, voided, paid, refunded, owed, credit and refunds pending, and its premium entries with their lines, oldest first",
      params: idParams,
      response: { status: 200, schema: statementSchema },
      handler: async (ctx) => {
        const subscription = await findVisible(ctx.state.user, subscriptionAccess, ctx.state.input.params.id);
        const statement = await subscriptionStatement(ctx.services.sequelize, subscription.tenantId, subscription.id);
        ctx.body = { subscriptionId: subscription.id, ...statement };
      },
    }),
  ]);
}
