/**
 * The steps of a tenant's offboarding (`tenant-offboarding-<tenantId>`, docs/privacy.md, Tenant
 * offboarding), one activity each. Every step is idempotent: doing it again after a retry finds
 * less or nothing left to do, and its counts so far travel in its heartbeat, so the record states
 * every removal once. A step ends by merging its counts into the request's `removed` and marking
 * its item of the bulk operation done, in one transaction.
 *
 * The tenant's rows are found by their `tenant_id` column, in every table that has one, and the
 * order they are deleted in is read from the database's foreign keys (a table before those it
 * refers to), so a table added later is exported and deleted without a change here. Rows without
 * a `tenant_id` of their own (a user's sessions, a webhook delivery's attempts, an operation's
 * items) go with their parent by its ON DELETE CASCADE.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/client';
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import type { OffboardingStep, StepCounts, StepInput } from '../contracts/tenant-offboarding';
import { BulkOperationItem, ClaimDocument, PolicyDocument, ReportDefinition, Tenant, TenantOffboarding } from '../models';
import { offboardingStepItemId } from '../models/tenant-offboarding';
import { recordAudit } from '../domain/audit/record';
import type { DocumentStore } from '../services/documents';
import { removeReportSchedule } from '../services/report-schedules';
import { cursorBatches, jsonFile, jsonLines, streamZip, type AddZipFile, type ManifestFile } from '../services/zip-files';
import { TenantId } from '../shared/search-attributes';
import type { ActivityDeps } from './deps';
import { workflowAuditSource } from './audit-source';

export const EXPORT_FORMAT = 'insurflow-tenant-export/1';
/** Rows read (exported) or deleted per statement: memory and lock time stay bounded whatever the tenant holds. */
const BATCH_SIZE = 500;
/** Columns never exported: secrets and the digests that stand for them (sealed keys, password and token hashes). */
const SECRET_COLUMN = /password|secret|private_key|token_hash|code_hash|state_hash/;
/** How long the run step waits for the visibility store to stop listing runs it has deleted. */
const VISIBILITY_PATIENCE_MS = 60_000;

type OffboardingDeps = Pick<ActivityDeps, 'sequelize' | 'temporal' | 'documents'>;

/** Where a tenant's export is kept: under a prefix of the platform's, which the offboarding never deletes. */
export const offboardingExportKey = (tenantId: string, offboardingId: string) => `offboarding/${tenantId}/${offboardingId}.zip`;

/** Every table with a `tenant_id` column, ordered so that a table comes before any table it refers to. */
export async function tenantTablesInDeleteOrder(sequelize: Sequelize): Promise<string[]> {
  const tables = await sequelize.query<{ name: string }>(
    `SELECT c.table_name AS name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
      ORDER BY 1`,
    { type: QueryTypes.SELECT },
  );
  const references = await sequelize.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint k
       JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid
      WHERE k.contype = 'f' AND k.conrelid <> k.confrelid AND child.relnamespace = to_regnamespace(current_schema())`,
    { type: QueryTypes.SELECT },
  );
  const left = new Set(tables.map((table) => table.name));
  const ordered: string[] = [];
  while (left.size > 0) {
    // A table may go once no table still to be emptied refers to it.
    const free = [...left].filter(
      (table) => !references.some(({ child, parent }) => parent === table && child !== table && left.has(child)),
    );
    if (free.length === 0) throw ApplicationFailure.nonRetryable(`Foreign keys form a cycle among ${[...left].join(', ')}`);
    for (const table of free) {
      ordered.push(table);
      left.delete(table);
    }
  }
  return ordered;
}

function documentsOf(deps: OffboardingDeps): DocumentStore {
  if (!deps.documents) throw ApplicationFailure.nonRetryable('This worker has no document store: a tenant cannot be offboarded here');
  return deps.documents;
}

/** The keys of the tenant's files in the document store: claim documents, and the policies' stored schedules. */
async function storedFilesOf(tenantId: string, transaction?: Transaction): Promise<string[]> {
  const claimDocuments = await ClaimDocument.findAll({ where: { tenantId }, attributes: ['storageKey'], transaction });
  const policyDocuments = await PolicyDocument.findAll({ where: { tenantId }, attributes: ['storageKey'], transaction });
  return [...claimDocuments, ...policyDocuments].map((document) => document.storageKey);
}

/** A row as exported: its columns but those holding secrets. */
const withoutSecrets = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).filter(([column]) => !SECRET_COLUMN.test(column)));

async function hasRows(sequelize: Sequelize, table: string, tenantId: string, transaction: Transaction): Promise<boolean> {
  const [{ present }] = await sequelize.query<{ present: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM "${table}" WHERE tenant_id = :tenantId) AS present`,
    { replacements: { tenantId }, type: QueryTypes.SELECT, transaction },
  );
  return present;
}

/**
 * The table's rows of the tenant as JSON Lines, secrets left out, read through a cursor of the
 * transaction's snapshot `pageSize` rows at a time as the ZIP takes them; `counted.rows` says how
 * many so far.
 */
function tableLines(
  sequelize: Sequelize,
  table: string,
  tenantId: string,
  transaction: Transaction,
  pageSize: number,
  counted: { rows: number },
) {
  const fetch = async (sql: string) => {
    const rows = await sequelize.query<{ line: Record<string, unknown> }>(sql, { transaction, type: QueryTypes.SELECT });
    counted.rows += rows.length;
    Context.current().heartbeat({ table, rows: counted.rows });
    return rows;
  };
  const sql = `SELECT to_jsonb(t) AS line FROM "${table}" t WHERE t.tenant_id = :tenantId`;
  return jsonLines(cursorBatches(sequelize, transaction, 'offboarding_export_rows', sql, { tenantId }, fetch, pageSize), ({ line }) =>
    withoutSecrets(line),
  );
}

interface ExportFile extends ManifestFile {
  rows?: number;
}

/**
 * The whole tenant as a ZIP, streamed into the document store under `key` as it is made:
 * `tables/<table>.jsonl` for every table with its rows, the documents' bytes under
 * `documents/<storage key>`, and `manifest.json` with every file's SHA-256. The rows are read in
 * one REPEATABLE READ snapshot, so the files agree with each other. Answers the ZIP's SHA-256 and
 * size, counted on the way to the store.
 */
async function streamExport(deps: OffboardingDeps, offboarding: TenantOffboarding, tenant: Tenant, key: string, pageSize: number) {
  const store = documentsOf(deps);
  const generatedAt = new Date();
  const tables = await tenantTablesInDeleteOrder(deps.sequelize);
  const fill = async (add: AddZipFile) => {
    const files: ExportFile[] = [];
    const storageKeys = await deps.sequelize.transaction(
      { isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ, readOnly: true },
      async (transaction) => {
        for (const table of [...tables].sort()) {
          if (!(await hasRows(deps.sequelize, table, tenant.id, transaction))) continue;
          const counted = { rows: 0 };
          const file = await add(`tables/${table}.jsonl`, tableLines(deps.sequelize, table, tenant.id, transaction, pageSize, counted));
          files.push({ ...file, rows: counted.rows });
        }
        return storedFilesOf(tenant.id, transaction);
      },
    );
    // The bytes, one document at a time, piped from the store into the ZIP.
    for (const storageKey of storageKeys) {
      files.push(await add(`documents/${storageKey}`, await store.read(storageKey)));
      Context.current().heartbeat({ documents: storageKey });
    }
    const manifest = {
      format: EXPORT_FORMAT,
      tenant: { id: tenant.id, name: tenant.name, slug: tenant.slug },
      offboardingId: offboarding.id,
      generatedAt: generatedAt.toISOString(),
      files,
    };
    await add('manifest.json', jsonFile(manifest));
  };
  return streamZip((stream) => store.writeStream(key, { stream, contentType: 'application/zip' }), fill, generatedAt);
}

/** Reads what the activity's earlier attempts counted (its heartbeat), so a retry reports every removal once. */
function countsSoFar(): StepCounts {
  return (Context.current().info.heartbeatDetails as StepCounts | undefined) ?? {};
}

export interface OffboardingOptions {
  /** Rows per FETCH of the export (BATCH_SIZE unless said): one page of one table is in memory at a time. */
  exportPageSize?: number;
}

export function createTenantOffboardingActivities(deps: OffboardingDeps, { exportPageSize = BATCH_SIZE }: OffboardingOptions = {}) {
  const load = (offboardingId: string) => TenantOffboarding.findByPk(offboardingId, { rejectOnEmpty: true });

  /** Merges the step's counts into the request and marks its item done, at once. */
  async function finishStep(
    offboarding: TenantOffboarding,
    step: OffboardingStep,
    counts: StepCounts,
    transaction?: Transaction,
  ): Promise<StepCounts> {
    const finish = async (t: Transaction) => {
      await deps.sequelize.query(
        `UPDATE tenant_offboardings SET removed = removed || CAST(:counts AS jsonb), updated_at = now() WHERE id = :id`,
        {
          replacements: { counts: JSON.stringify(counts), id: offboarding.id },
          transaction: t,
        },
      );
      if (offboarding.operationId)
        await BulkOperationItem.update(
          { status: 'done', handledAt: new Date() },
          { where: { operationId: offboarding.operationId, itemId: offboardingStepItemId(offboarding.id, step) }, transaction: t },
        );
    };
    await (transaction ? finish(transaction) : deps.sequelize.transaction(finish));
    return counts;
  }

  /**
   * A step that removes what the tenant has outside PostgreSQL, one item after the other with a
   * heartbeat each, and records how many under the step's name. Removing what is gone already is a
   * no-op, so a retry goes through the whole list again.
   */
  async function removeEach<T>(
    offboarding: TenantOffboarding,
    step: OffboardingStep,
    items: readonly T[],
    remove: (item: T) => Promise<unknown>,
  ): Promise<StepCounts> {
    for (const item of items) {
      await remove(item);
      Context.current().heartbeat();
    }
    return finishStep(offboarding, step, { [step]: items.length });
  }

  /** Deletes a closed run; answers whether it was there to delete. */
  async function deleteRun(workflowId: string, runId: string): Promise<boolean> {
    try {
      await deps.temporal.workflowService.deleteWorkflowExecution({
        namespace: deps.temporal.options.namespace,
        workflowExecution: { workflowId, runId },
      });
      return true;
    } catch (err) {
      // gRPC NOT_FOUND: deleted already (an earlier attempt, or the visibility store lagging behind).
      if ((err as { code?: number }).code === 5) return false;
      throw err;
    }
  }

  /** Terminates an open run; one that ended or went meanwhile needs nothing. */
  async function terminateRun(workflowId: string, runId: string): Promise<void> {
    try {
      await deps.temporal.workflow.getHandle(workflowId, runId).terminate('Its tenant was offboarded');
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  /** Whether the run is still there, asked by its ID (which, unlike a listing, answers at once after a delete). */
  async function runExists(workflowId: string, runId: string): Promise<boolean> {
    try {
      await deps.temporal.workflow.getHandle(workflowId, runId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  return {
    /** (1) The export, kept in the document store under `offboarding/`; made once (a retry after it is recorded does nothing). */
    async exportTenant({ offboardingId }: StepInput): Promise<StepCounts> {
      const offboarding = await load(offboardingId);
      if (offboarding.exportSha256) return finishStep(offboarding, 'export', {});
      const tenant = await Tenant.findByPk(offboarding.offboardedTenantId, { rejectOnEmpty: true });
      const key = offboardingExportKey(tenant.id, offboarding.id);
      // A retry after the store took the ZIP makes it again and replaces it; only the recorded one counts.
      const zip = await streamExport(deps, offboarding, tenant, key, exportPageSize);
      return deps.sequelize.transaction(async (transaction) => {
        await offboarding.update({ exportKey: key, exportSha256: zip.sha256, exportBytes: zip.bytes }, { transaction });
        return finishStep(offboarding, 'export', { exportBytes: zip.bytes }, transaction);
      });
    },

    /** (2a) The tenant's Temporal Schedules: one per saved report (`report-<definitionId>`), gone already or not. */
    async deleteTenantSchedules({ offboardingId }: StepInput): Promise<StepCounts> {
      const offboarding = await load(offboardingId);
      // Deleted definitions too: removing a schedule that is gone already is a no-op.
      const definitions = await ReportDefinition.findAll({
        where: { tenantId: offboarding.offboardedTenantId },
        attributes: ['id'],
        paranoid: false,
      });
      return removeEach(offboarding, 'schedules', definitions, (definition) => removeReportSchedule(deps.temporal, definition.id));
    },

    /**
     * (2b) Every run searchable as the tenant's (`TenantId`), page by page, pass after pass a
     * second apart: an open one is terminated, and deleted in a later pass once the listing shows
     * it closed (a delete sooner waits on the server's own close tasks, up to a minute on the dev
     * server). Visibility trails the deletes, so a listing may still show runs
     * already gone: the step ends with a pass in which every run listed was deleted before and is
     * gone when asked by its ID (a run started since is deleted too), within
     * VISIBILITY_PATIENCE_MS (then the activity fails and is retried).
     */
    async deleteTenantRuns({ offboardingId }: StepInput): Promise<StepCounts> {
      const offboarding = await load(offboardingId);
      const context = Context.current();
      const counts = countsSoFar();
      let deleted = counts.runs ?? 0;
      const deletedRuns = new Set<string>();
      const query = `${TenantId.name} = '${offboarding.offboardedTenantId}'`;
      const patience = Date.now() + VISIBILITY_PATIENCE_MS;
      // Starts of the tenant's runs still in the outbox would start runs after this step; delivered
      // ones still carry the tenant's input. Either goes (a start leased this moment is listed below).
      const starts = await deps.sequelize.query(`DELETE FROM outbox_messages WHERE payload->>'tenantId' = :tenantId`, {
        replacements: { tenantId: offboarding.offboardedTenantId },
        type: QueryTypes.BULKDELETE,
      });
      if (starts > 0) counts.outboxMessages = (counts.outboxMessages ?? 0) + starts;
      for (;;) {
        // Runs terminated or deleted in this pass, and runs deleted before that are still there.
        let left = 0;
        for await (const run of deps.temporal.workflow.list({ query, pageSize: BATCH_SIZE })) {
          left += 1;
          // Listed as running, it is terminated (again, harmlessly, while the listing lags behind);
          // listed as closed, its close has been recorded everywhere and a delete goes at once.
          if (run.status.name === 'RUNNING') {
            await terminateRun(run.workflowId, run.runId);
          } else if (!deletedRuns.has(run.runId)) {
            deletedRuns.add(run.runId);
            if (await deleteRun(run.workflowId, run.runId)) deleted += 1;
          } else if (!(await runExists(run.workflowId, run.runId))) left -= 1;
          context.heartbeat({ ...counts, runs: deleted });
        }
        if (left === 0) break;
        if (Date.now() > patience) throw new Error(`Runs of tenant ${offboarding.offboardedTenantId} are still there after their deletion`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      return finishStep(offboarding, 'runs', { ...counts, runs: deleted });
    },

    /** (3) The tenant's documents in the store (the export under `offboarding/` stays). */
    async deleteTenantDocuments({ offboardingId }: StepInput): Promise<StepCounts> {
      const offboarding = await load(offboardingId);
      const storageKeys = await storedFilesOf(offboarding.offboardedTenantId);
      const store = documentsOf(deps);
      return removeEach(offboarding, 'documents', storageKeys, (storageKey) => store.remove(storageKey));
    },

    /**
     * (4) Every row of the tenant but its own in `tenants`, table after table in foreign-key order,
     * BATCH_SIZE rows per statement, each committing on its own. The audit trail lets the tenant's
     * events go only now: its offboarding is running with the export recorded (migration 0066).
     */
    async deleteTenantRows({ offboardingId }: StepInput): Promise<StepCounts> {
      const offboarding = await load(offboardingId);
      const context = Context.current();
      const counts = countsSoFar();
      for (const table of await tenantTablesInDeleteOrder(deps.sequelize)) {
        const key = `rows.${table}`;
        for (;;) {
          const count = await deps.sequelize.query(
            `DELETE FROM "${table}" WHERE ctid IN (SELECT ctid FROM "${table}" WHERE tenant_id = :tenantId LIMIT :limit)`,
            { replacements: { tenantId: offboarding.offboardedTenantId, limit: BATCH_SIZE }, type: QueryTypes.BULKDELETE },
          );
          if (count > 0) counts[key] = (counts[key] ?? 0) + count;
          context.heartbeat(counts);
          if (count < BATCH_SIZE) break;
        }
      }
      return finishStep(offboarding, 'rows', counts);
    },

    /**
     * (5) The platform's audit record of what was removed and of the export's SHA-256 (tenant
     * null: the platform's own chain, so no tenant's chain changes), and the tenant's tombstone:
     * `offboarded`, its name and slug kept for the record, its contact details cleared. Once.
     */
    async recordTenantOffboarded({ offboardingId }: StepInput): Promise<StepCounts> {
      const offboarding = await load(offboardingId);
      if (offboarding.status === 'completed') return offboarding.removed;
      const tenant = await Tenant.findByPk(offboarding.offboardedTenantId, { rejectOnEmpty: true });
      return deps.sequelize.transaction(async (transaction) => {
        await finishStep(offboarding, 'record', {}, transaction);
        await offboarding.reload({ transaction });
        const tombstone = {
          status: 'offboarded' as const,
          contactEmail: null,
          phone: null,
          address: null,
          businessType: null,
          registrationId: null,
        };
        await Tenant.update(tombstone, { where: { id: tenant.id }, transaction });
        await offboarding.update({ status: 'completed', completedAt: new Date() }, { transaction });
        await recordAudit(
          workflowAuditSource(offboarding.decidedById),
          {
            tenantId: null,
            action: 'tenant.offboarded',
            entityType: 'tenant',
            entityId: tenant.id,
            before: { status: tenant.status, name: tenant.name },
            after: {
              status: 'offboarded',
              name: tenant.name,
              offboardingId: offboarding.id,
              requestedById: offboarding.requestedById,
              approvedById: offboarding.decidedById,
              exportKey: offboarding.exportKey,
              exportSha256: offboarding.exportSha256,
              removed: offboarding.removed,
            },
            dedupeKey: `tenant.offboarded:${offboarding.id}`,
          },
          transaction,
        );
        return offboarding.removed;
      });
    },
  };
}
