/** A version report's counts by acknowledgement status, shared by GET /compliance/versions/:id/report and GraphQL's `report`. */
import { Op } from 'sequelize';
import { ACKNOWLEDGEMENT_STATUSES, type AcknowledgementStatus } from '../../contracts/acknowledgement';
import { Acknowledgement } from '../../models';

export type StatusCounts = Record<AcknowledgementStatus | 'total', number>;

/** One attestation cycle of a version: what a report counts (1 = the publication). */
export interface ReportedCycle {
  versionId: string;
  cycle: number;
}

/** The counts of each cycle given, in the order given, from one grouped statement (GraphQL batches every report of a request). */
export async function statusCounts(cycles: readonly ReportedCycle[]): Promise<StatusCounts[]> {
  const rows = await Acknowledgement.count({
    where: { [Op.or]: cycles.map(({ versionId, cycle }) => ({ versionId, cycle })) },
    group: ['versionId', 'cycle', 'status'],
  });
  const keyOf = (versionId: unknown, cycle: unknown) => `${String(versionId)}:${String(cycle)}`;
  const zero = () => Object.fromEntries(ACKNOWLEDGEMENT_STATUSES.map((s) => [s, 0])) as Record<AcknowledgementStatus, number>;
  const byCycle = new Map(cycles.map(({ versionId, cycle }) => [keyOf(versionId, cycle), zero()]));
  for (const row of rows) byCycle.get(keyOf(row.versionId, row.cycle))![row.status as AcknowledgementStatus] = Number(row.count);
  return cycles.map(({ versionId, cycle }) => {
    const counts = byCycle.get(keyOf(versionId, cycle))!;
    return { total: Object.values(counts).reduce((a, b) => a + b, 0), ...counts };
  });
}
