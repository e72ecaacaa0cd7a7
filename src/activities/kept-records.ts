/**
 * The deletion of an erased person's kept records once their keepUntil day has come
 * (docs/privacy.md, Deleting kept records when they fall due), run daily by `keptRecordsWorkflow`.
 *
 * Each person is one transaction: their erasure row and their users row are locked (as an erasure
 * step and placing a legal hold lock it, so a hold and a deletion never pass each other), a hold
 * found then skips them, and each group of KEPT_ROW_GROUPS that is due is deleted in a savepoint,
 * recorded on the erasure (`kept_rows_deleted`, per table the rows and when) with one audit event
 * of the counts. The erasure's next due day then moves past today, so a retried activity or a
 * second run the same day finds nothing to do for them: nothing is deleted or counted twice. A
 * group that cannot go yet (a claim not closed, a subscription still open, rows of other people
 * still referring to the person) waits, and is tried again the next day.
 */
import { Context } from '@temporalio/activity';
import { ForeignKeyConstraintError, QueryTypes, type Transaction } from 'sequelize';
import { KEPT_ROW_GROUPS, keptGroupDueOn, keptRowsDueOn, type KeptRowGroup, type KeptRowsDeletion } from '../contracts/privacy-erasure';
import type { KeptRecordsBatch, KeptRecordsOfPerson } from '../contracts/retention';
import { OPEN_SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../contracts/subscription';
import { PrivacyErasure, PrivacyLegalHold, User } from '../models';
import { recordAudit } from '../domain/audit/record';
import type { DocumentStore } from '../services/documents';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps } from './deps';

/** Whose rows a group deletes, inside the person's transaction. */
interface Owner {
  tenantId: string;
  userId: string;
  transaction: Transaction;
}

/** Rows deleted per table, or why the group waits. */
type GroupOutcome = Record<string, number> | string;

const DUE_ERASURES = `FROM privacy_erasures e
  WHERE e.kept_rows_due_on <= :today AND e.status = 'completed'
    AND %s EXISTS (SELECT 1 FROM privacy_legal_holds h WHERE h.user_id = e.user_id AND h.released_at IS NULL)`;
const dueErasures = (held: boolean) => DUE_ERASURES.replace('%s', held ? '' : 'NOT');

function rowsOf<T extends object>({ transaction }: Owner, sql: string, replacements: Record<string, unknown>): Promise<T[]> {
  return PrivacyErasure.sequelize!.query<T>(sql, { type: QueryTypes.SELECT, replacements, transaction });
}

const mine = ({ tenantId, userId }: Owner) => ({ tenantId, userId });

async function idsOf(owner: Owner, sql: string, replacements: Record<string, unknown> = {}): Promise<string[]> {
  const rows = await rowsOf<{ id: string }>(owner, sql, { ...mine(owner), ...replacements });
  return rows.map((row) => row.id);
}

/** The person's rows of `table` (`personColumn` names them) with their statuses: the group waits while one is open. */
function theirRowsWithStatus<Status extends string>(
  owner: Owner,
  table: 'claims' | 'subscriptions',
  personColumn: 'claimant_id' | 'policyholder_id',
): Promise<{ id: string; status: Status }[]> {
  return rowsOf(owner, `SELECT id, status FROM ${table} WHERE tenant_id = :tenantId AND ${personColumn} = :userId`, mine(owner));
}

/** Rows of `table` whose `column` is one of `ids`. */
async function countIn(owner: Owner, table: string, column: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const [row] = await rowsOf<{ count: string }>(owner, `SELECT count(*) AS count FROM ${table} WHERE ${column} IN (:ids)`, { ids });
  return Number(row.count);
}

/**
 * Removes the stored files of the rows of `table` whose `column` is one of `ids`, before the rows
 * go, and answers how many there were. Without a store it throws, so the activity is retried by a
 * worker with one; no row goes before its file.
 */
async function removeFiles(
  owner: Owner,
  documents: DocumentStore | undefined,
  table: 'claim_documents' | 'policy_documents',
  column: string,
  ids: string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const files = await rowsOf<{ storage_key: string }>(owner, `SELECT storage_key FROM ${table} WHERE ${column} IN (:ids)`, { ids });
  if (files.length > 0 && !documents) throw new Error(`This worker has no document store: it cannot delete ${table.replace('_', ' ')}`);
  for (const file of files) await documents!.remove(file.storage_key);
  return files.length;
}

async function deleteIn({ transaction }: Owner, table: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  return PrivacyErasure.sequelize!.query(`DELETE FROM ${table} WHERE id IN (:ids)`, {
    type: QueryTypes.BULKDELETE,
    replacements: { ids },
    transaction,
  });
}

/**
 * The person's claims, once all are closed, with everything that hangs on them (payments, notes and
 * their revisions, history, reserves, recoveries, documents and their files), and the notes the
 * person wrote on other claims (their text already erased). Claims they filed for someone else are
 * that person's record and stay.
 */
function deleteClaims(documents: DocumentStore | undefined) {
  return async (owner: Owner): Promise<GroupOutcome> => {
    const claims = await theirRowsWithStatus<string>(owner, 'claims', 'claimant_id');
    if (claims.some((claim) => claim.status !== 'closed')) return 'a claim of theirs is not closed';
    const claimIds = claims.map((claim) => claim.id);
    const notes = await idsOf(
      owner,
      `SELECT id FROM claim_notes WHERE tenant_id = :tenantId AND (author_id = :userId${claimIds.length ? ' OR claim_id IN (:claimIds)' : ''})`,
      { claimIds },
    );
    const documentsRemoved = await removeFiles(owner, documents, 'claim_documents', 'claim_id', claimIds);
    const counts: Record<string, number> = {
      payments: await countIn(owner, 'payments', 'claim_id', claimIds),
      claim_note_revisions: await countIn(owner, 'claim_note_revisions', 'note_id', notes),
      claim_history: await countIn(owner, 'claim_history', 'claim_id', claimIds),
      claim_reserve_lines: await countIn(owner, 'claim_reserve_lines', 'claim_id', claimIds),
      claim_reserve_changes: await countIn(owner, 'claim_reserve_changes', 'claim_id', claimIds),
      claim_recoveries: await countIn(owner, 'claim_recoveries', 'claim_id', claimIds),
      claim_documents: documentsRemoved,
    };
    // Their dependants go with them (ON DELETE CASCADE), counted above.
    counts.claim_notes = await deleteIn(owner, 'claim_notes', notes);
    counts.claims = await deleteIn(owner, 'claims', claimIds);
    return counts;
  };
}

/**
 * The policies the person held, once none is open and no claim is left on them, with their
 * invoices, premium payments and refunds, lapse periods, versions, changes and stored schedules
 * (their files first, as claim documents'), and the person's quotes.
 */
function deleteSubscriptions(documents: DocumentStore | undefined) {
  return async (owner: Owner): Promise<GroupOutcome> => {
    const subscriptions = await theirRowsWithStatus<SubscriptionStatus>(owner, 'subscriptions', 'policyholder_id');
    if (subscriptions.some((subscription) => OPEN_SUBSCRIPTION_STATUSES.includes(subscription.status)))
      return 'a policy of theirs is still open';
    const ids = subscriptions.map((subscription) => subscription.id);
    if ((await countIn(owner, 'claims', 'subscription_id', ids)) > 0) return 'claims on their policies remain';
    const invoices = ids.length === 0 ? [] : await idsOf(owner, 'SELECT id FROM invoices WHERE subscription_id IN (:ids)', { ids });
    const documentsRemoved = await removeFiles(owner, documents, 'policy_documents', 'subscription_id', ids);
    // Their dependants go with them (ON DELETE CASCADE), counted here.
    const counts: Record<string, number> = {
      invoices: invoices.length,
      premium_payments: await countIn(owner, 'premium_payments', 'invoice_id', invoices),
      premium_refunds: await countIn(owner, 'premium_refunds', 'subscription_id', ids),
      lapse_periods: await countIn(owner, 'lapse_periods', 'subscription_id', ids),
      subscription_versions: await countIn(owner, 'subscription_versions', 'subscription_id', ids),
      subscription_changes: await countIn(owner, 'subscription_changes', 'subscription_id', ids),
      policy_documents: documentsRemoved,
    };
    counts.subscriptions = await deleteIn(owner, 'subscriptions', ids);
    // Then the quotes they asked for or bound (a policy refers to its quote): left behind, the users
    // row's deletion would make theirs a visitor's quote (requested_by_id SET NULL), readable by its id.
    const quotes = await idsOf(
      owner,
      `SELECT id FROM quotes WHERE tenant_id = :tenantId AND (requested_by_id = :userId${ids.length ? ' OR subscription_id IN (:ids)' : ''})`,
      { ids },
    );
    counts.quotes = await deleteIn(owner, 'quotes', quotes);
    return counts;
  };
}

async function deleteAcknowledgements(owner: Owner): Promise<GroupOutcome> {
  const ids = await idsOf(owner, 'SELECT id FROM acknowledgements WHERE tenant_id = :tenantId AND employee_id = :userId');
  return { acknowledgements: await deleteIn(owner, 'acknowledgements', ids) };
}

/** The pseudonymised users row; rows that still refer to it (a claim they filed for someone else, a policy version they wrote) keep it. */
async function deleteUser(owner: Owner): Promise<GroupOutcome> {
  const ids = await idsOf(owner, 'SELECT id FROM users WHERE tenant_id = :tenantId AND id = :userId');
  return { users: await deleteIn(owner, 'users', ids) };
}

export function createKeptRecordsActivities(deps: ActivityDeps) {
  const sequelize = deps.sequelize;
  const groups: Record<KeptRowGroup, (owner: Owner) => Promise<GroupOutcome>> = {
    claims: deleteClaims(deps.documents),
    subscriptions: deleteSubscriptions(deps.documents),
    acknowledgements: deleteAcknowledgements,
    users: deleteUser,
  };

  /** One group in a savepoint: a row of someone else still referring to the person's rows rolls back only this group, which waits. */
  async function deleteGroup(group: KeptRowGroup, owner: Owner): Promise<GroupOutcome> {
    try {
      return await sequelize.transaction({ transaction: owner.transaction }, (savepoint) =>
        groups[group]({ ...owner, transaction: savepoint }),
      );
    } catch (err) {
      if (err instanceof ForeignKeyConstraintError) return `rows of ${err.table ?? 'another table'} still refer to them`;
      throw err;
    }
  }

  /** The person's due groups, in one transaction with their record and audit event. */
  function deleteDueOfPerson(erasureId: string, today: string): Promise<KeptRecordsOfPerson> {
    return sequelize.transaction(async (transaction) => {
      const result: KeptRecordsOfPerson = { erasureId, deleted: {}, waiting: {} };
      const erasure = await PrivacyErasure.findByPk(erasureId, { lock: transaction.LOCK.UPDATE, transaction, rejectOnEmpty: true });
      // Looked at already today (a retried activity, a second run): nothing more to do.
      if (!erasure.keptRowsDueOn || erasure.keptRowsDueOn > today) return result;
      await User.findByPk(erasure.userId, { attributes: ['id'], lock: transaction.LOCK.UPDATE, transaction });
      if (await PrivacyLegalHold.isHeld(erasure.userId, transaction)) return { ...result, waiting: { all: 'a legal hold' } };

      const owner: Owner = { tenantId: erasure.tenantId, userId: erasure.userId, transaction };
      const recorded: Record<string, KeptRowsDeletion> = { ...erasure.keptRowsDeleted };
      const deletedAt = new Date().toISOString();
      const isDone = (group: (typeof KEPT_ROW_GROUPS)[number]) => !keptGroupDueOn(erasure.tables, group) || !!recorded[group.tables[0]];
      const deletedGroups: KeptRowGroup[] = [];
      for (const group of KEPT_ROW_GROUPS) {
        const dueOn = keptGroupDueOn(erasure.tables, group);
        if (isDone(group) || dueOn! > today) continue;
        if (group.name === 'users' && !KEPT_ROW_GROUPS.every((other) => other.name === 'users' || isDone(other))) {
          result.waiting.users = 'other kept rows of theirs remain';
          continue;
        }
        const outcome = await deleteGroup(group.name, owner);
        if (typeof outcome === 'string') {
          result.waiting[group.name] = outcome;
          continue;
        }
        for (const [table, deleted] of Object.entries(outcome)) recorded[table] = { deleted, deletedAt };
        Object.assign(result.deleted, outcome);
        deletedGroups.push(group.name);
      }

      await erasure.update({ keptRowsDeleted: recorded, keptRowsDueOn: keptRowsDueOn(erasure.tables, recorded, today) }, { transaction });
      if (Object.keys(result.deleted).length > 0)
        await recordAudit(
          workflowAuditSource(),
          {
            tenantId: erasure.tenantId,
            action: 'privacy_erasure.kept_rows_deleted',
            entityType: 'privacy_erasure',
            entityId: erasure.id,
            // Counts and IDs only, like the erasure's own events.
            after: { userId: erasure.userId, tables: result.deleted },
            // By group: the names of every table deleted would outgrow the key's 300 characters.
            dedupeKey: `${erasure.workflowId}:kept_rows:${deletedGroups.join(',')}`,
          },
          transaction,
        );
      return result;
    });
  }

  return {
    /** The next `limit` erasures due whose person is not held, oldest due first, each person in their own transaction. */
    async deleteDueKeptRecords(input: KeptRecordsBatch): Promise<KeptRecordsOfPerson[]> {
      const context = Context.current();
      const due = await sequelize.query<{ id: string }>(
        `SELECT e.id ${dueErasures(false)} ORDER BY e.kept_rows_due_on, e.id LIMIT :limit`,
        {
          type: QueryTypes.SELECT,
          replacements: { today: input.today, limit: input.limit },
        },
      );
      const people: KeptRecordsOfPerson[] = [];
      for (const { id } of due) {
        people.push(await deleteDueOfPerson(id, input.today));
        context.heartbeat(people.length);
        context.cancellationSignal.throwIfAborted();
      }
      return people;
    },

    /** Erasures still due after a run: those of people under a legal hold, and the rest (over the run's bound). */
    async countDueKeptRecords(input: { today: string }): Promise<{ held: number; remaining: number }> {
      const count = async (held: boolean) => {
        const [row] = await sequelize.query<{ count: string }>(`SELECT count(*) AS count ${dueErasures(held)}`, {
          type: QueryTypes.SELECT,
          replacements: { today: input.today },
        });
        return Number(row.count);
      };
      return { held: await count(true), remaining: await count(false) };
    },
  };
}
