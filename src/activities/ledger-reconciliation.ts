/**
 * The activities of the daily reconciliation of the books (src/contracts/ledger-reconciliation.ts):
 * a page of active tenants reconciled one after the other (src/domain/ledger/reconciliation.ts),
 * and the alert's gauge set from the open incidents. A retried page reconciles again: the same
 * difference set keeps its incident, and its mail was handed to the outbox once.
 */
import { Context } from '@temporalio/activity';
import { Op } from 'sequelize';
import type { LedgerReconciliationPage, LedgerReconciliationPageResult } from '../contracts/ledger-reconciliation';
import { openIncidentCount, reconcileTenant } from '../domain/ledger/reconciliation';
import { Tenant } from '../models';
import { ledgerDifferences } from '../observability/business-metrics';
import type { ActivityDeps } from './deps';

export function createLedgerReconciliationActivities({ sequelize }: ActivityDeps) {
  return {
    async reconcileLedgerPage(page: LedgerReconciliationPage): Promise<LedgerReconciliationPageResult> {
      const tenants = await Tenant.findAll({
        attributes: ['id'],
        where: { status: { [Op.ne]: 'offboarded' }, ...(page.afterTenantId && { id: { [Op.gt]: page.afterTenantId } }) },
        order: [['id', 'ASC']],
        limit: page.limit,
      });
      let differing = 0;
      for (const tenant of tenants) {
        const result = await reconcileTenant(sequelize, tenant.id);
        if (result.differences.length > 0) differing += 1;
        Context.current().heartbeat();
      }
      return {
        reconciled: tenants.length,
        differing,
        nextAfterTenantId: tenants.length < page.limit ? null : tenants[tenants.length - 1].id,
      };
    },

    /** The gauge is the table's truth, whichever worker or request opened an incident. */
    async recordLedgerDifferenceMetric(): Promise<void> {
      ledgerDifferences.set(await openIncidentCount(sequelize));
    },
  };
}
