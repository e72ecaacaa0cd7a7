/**
 * The activity of the daily audit checkpoints (src/contracts/audit-checkpoint.ts): reads a page
 * of chain heads; the workflow mails each through `sendEmail` under its key per chain and day.
 * Reading only, so a retry just reads again.
 */
import { Op } from 'sequelize';
import type { AuditCheckpoint, AuditCheckpointPage, AuditCheckpoints } from '../contracts/audit-checkpoint';
import { Tenant } from '../models';
import { chainHead } from '../domain/audit/chain';
import type { ActivityDeps } from './deps';

export function createAuditCheckpointActivities({ sequelize }: ActivityDeps) {
  return {
    /** The platform's chain first (first page only), then tenants by id; a chain without events before `asOf` is left out. */
    async listAuditCheckpoints(page: AuditCheckpointPage): Promise<AuditCheckpoints> {
      const asOf = new Date(page.asOf);
      const tenants = await Tenant.findAll({
        attributes: ['id'],
        where: page.afterTenantId ? { id: { [Op.gt]: page.afterTenantId } } : {},
        order: [['id', 'ASC']],
        limit: page.limit,
      });
      const chains = [...(page.afterTenantId ? [] : [null]), ...tenants.map((tenant) => tenant.id)];
      const checkpoints: AuditCheckpoint[] = [];
      for (const tenantId of chains) {
        const head = await chainHead(sequelize, tenantId, asOf);
        if (head) checkpoints.push({ tenantId, head: head.hash, count: head.count });
      }
      return { checkpoints, nextAfterTenantId: tenants.length < page.limit ? null : tenants[tenants.length - 1].id };
    },
  };
}
