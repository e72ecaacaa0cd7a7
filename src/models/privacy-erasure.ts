import { Transaction } from 'sequelize';
import { modelOf, required, optional, uuidKey, tenantColumn, timestampColumns, tenantRowColumns } from './columns';
import type { ErasureStatus, KeptRowsDeletion, TableErasure } from '../contracts/privacy-erasure';

const privacyErasureColumns = () => ({
  id: uuidKey(),
  ...tenantColumn(),
  userId: required.uuid(),
  requestedById: required.uuid(),
  reason: required.string(500),
  status: required.string<ErasureStatus>(20, { defaultValue: 'pending' }),
  /** The names of the steps taken, in order (src/activities/privacy-erasure.ts). */
  stepsDone: required.json<string[]>({ defaultValue: [] }),
  /** Per table: rows deleted, pseudonymised or kept, and the keep-until date of kept ones. */
  tables: required.json<Record<string, TableErasure>>({ defaultValue: {} }),
  /** The next day the kept-records job looks at this erasure (YYYY-MM-DD); null while running and once every kept row is deleted. */
  keptRowsDueOn: optional.dateOnly(),
  /** Per table: how many kept rows were deleted once their keepUntil day came, and when (src/activities/kept-records.ts). */
  keptRowsDeleted: required.json<Record<string, KeptRowsDeletion>>({ defaultValue: {} }),
  workflowId: required.string(200),
  runId: optional.string(100),
  /** When it was completed or blocked. */
  finishedAt: optional.date(),
  ...timestampColumns(),
});

/**
 * A tenant admin's erasure of one person (docs/privacy.md, Erasure, retention and legal holds),
 * carried out by the run `workflowId`: the steps it has taken and what became of each table's rows.
 */
export class PrivacyErasure extends modelOf('privacy_erasures', privacyErasureColumns) {}

const privacyLegalHoldColumns = () =>
  tenantRowColumns({
    userId: required.uuid(),
    reason: required.string(500),
    placedById: required.uuid(),
    releasedAt: optional.date(),
    releasedById: optional.uuid(),
  });

/** A legal hold on a person's data: active until released. */
export class PrivacyLegalHold extends modelOf('privacy_legal_holds', privacyLegalHoldColumns) {
  /**
   * Whether a hold on the person is active. The request and every erasure step ask it with the
   * person's users row locked, as placing a hold does, so a hold and an erasure step never pass each other.
   */
  static async isHeld(userId: string, transaction?: Transaction): Promise<boolean> {
    return (await PrivacyLegalHold.count({ where: { userId, releasedAt: null }, transaction })) > 0;
  }
}
