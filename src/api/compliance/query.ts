/** A version report's counts by acknowledgement status, shared by GET /compliance/versions/:id/report and GraphQL's `report`. */
import { ACKNOWLEDGEMENT_STATUSES, type AcknowledgementStatus } from '../../contracts/acknowledgement';
import { Acknowledgement } from '../../models';

export type StatusCounts = Record<AcknowledgementStatus | 'total', number>;

/** The counts of each version given, in one grouped statement (GraphQL batches every version of a request). */
export async function statusCounts(versionIds: readonly string[]): Promise<Map<string, StatusCounts>> {
  const rows = await Acknowledgement.count({ where: { versionId: [...versionIds] }, group: ['versionId', 'status'] });
  const zero = () => Object.fromEntries(ACKNOWLEDGEMENT_STATUSES.map((s) => [s, 0])) as Record<AcknowledgementStatus, number>;
  const byVersion = new Map(versionIds.map((id) => [id, zero()]));
  for (const row of rows) byVersion.get(String(row.versionId))![row.status as AcknowledgementStatus] = Number(row.count);
  return new Map(
    [...byVersion].map(([id, counts]) => [id, { total: Object.values(counts).reduce((a, b) => a + b, 0), ...counts }] as const),
  );
}
