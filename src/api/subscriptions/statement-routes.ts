/**
 * A policy's statement from the books (docs/ledger.md, Reading the books): billed, voided, paid,
 * refunded, owed and credit, with its premium entries. Its holder sees their own and the staff
 * every policy of their tenant, as they see its invoices: the subscription is looked up through
 * its access rule first, so another holder's or another tenant's is 404.
 */
import { subscriptionAccess } from '../../access/subscriptions';
import { subscriptionStatement } from '../../domain/ledger/statement';
import { type RouteSpec, tagged } from '../http/route';
import { findRoute } from '../http/row-route';
import { statementSchema } from '../ledger/schemas';

export function subscriptionStatementRoutes(): RouteSpec[] {
  return tagged('subscriptions', [
    findRoute({
      path: '/subscriptions/:id/statement',
      summary:
        "A policy's statement from the books (its holder or staff): per currency billed, voided, paid, refunded, owed, credit and refunds pending, and its premium entries with their lines, oldest first",
      access: subscriptionAccess,
      schema: statementSchema,
      view: async (subscription, ctx) => {
        const statement = await subscriptionStatement(ctx.services.sequelize, subscription.tenantId, subscription.id);
        return { subscriptionId: subscription.id, ...statement };
      },
    }),
  ]);
}
