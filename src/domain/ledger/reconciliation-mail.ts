/**
 * The mail of a difference reconciliation found (`ledgerDifference`, docs/notifications.md): to
 * the tenant's finance people, or its admins when it has none, naming each differing account and
 * row with the books' figure against the records'. Reconciliation hands it to the outbox in the
 * transaction that opens the incident (./reconciliation.ts); the worker renders and sends it
 * (src/activities/outbox-mails.ts) under the message's key, so each incident is told once.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { rolesOf } from '../../access/verbs';
import { User } from '../../models';
import type { Role } from '../../shared/roles';
import { shownFigure, type LedgerDifference } from './reconciliation';

/** One line a difference: the check, the row, the currency, the books ≠ the expected figure (amounts as decimals of the currency). */
export function differenceLine(difference: LedgerDifference): string {
  const where = [difference.check, difference.row?.label, difference.currency].filter(Boolean).join(' ');
  return `${where}: ${shownFigure(difference, difference.books)} ≠ ${shownFigure(difference, difference.expected)}`;
}

export interface LedgerDifferenceMail {
  tenantId: string;
  roles: readonly Role[];
  values: { checkedAt: Date; count: number; differences: string; unnamed: number };
}

/** The incident's mail as the worker sends it, read when it is sent; null once the incident is gone (its tenant offboarded). */
export async function ledgerDifferenceMail(sequelize: Sequelize, incidentId: string): Promise<LedgerDifferenceMail | null> {
  const [incident] = await sequelize.query<{ tenantId: string; openedAt: Date; differences: LedgerDifference[]; unnamed: number | null }>(
    `SELECT i.tenant_id AS "tenantId", i.opened_at AS "openedAt", i.differences,
            (SELECT (r.differences ->> 'unnamed')::int FROM ledger_reconciliations r WHERE r.incident_id = i.id) AS unnamed
       FROM ledger_incidents i WHERE i.id = :incidentId`,
    { replacements: { incidentId }, type: QueryTypes.SELECT },
  );
  if (!incident) return null;
  const finance = rolesOf('hearOfLedgerDifferences');
  const hasFinance = await User.count({ where: { tenantId: incident.tenantId, isActive: true, role: [...finance] } });
  return {
    tenantId: incident.tenantId,
    roles: hasFinance > 0 ? finance : rolesOf('operateOwnTenant'),
    values: {
      checkedAt: new Date(incident.openedAt),
      count: incident.differences.length,
      differences: incident.differences.map(differenceLine).join('\n'),
      unnamed: incident.unnamed ?? 0,
    },
  };
}
