/**
 * The activities of a subject access export (docs/privacy.md, Subject access export). Gathering
 * reads every row about one person in one REPEATABLE READ snapshot, writes a ZIP of one JSON file
 * per kind (audit events as JSON Lines, read through a cursor), the files of the documents of
 * their claims under documents/, and manifest.json with each file's SHA-256, streamed into the
 * document store under `privacy/<tenant>/<export>-<attempt>.zip` as it is made. Each is
 * idempotent: a retry writes a key of its own and moves the row only from the status it expects.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { Op, Transaction, type Sequelize } from 'sequelize';
import {
  PRIVACY_EXPORT_GATHER_ATTEMPTS,
  PRIVACY_EXPORT_KEPT_DAYS,
  type PrivacyExportInput,
  type PrivacyExportStatus,
} from '../contracts/privacy-export';
import {
  Acknowledgement,
  AuditEvent,
  Claim,
  ClaimDocument,
  ClaimHistory,
  ClaimNote,
  ClaimNoteRevision,
  Invoice,
  PremiumPayment,
  PremiumRefund,
  PrivacyExport,
  Quote,
  Subscription,
  SubscriptionChange,
  SubscriptionVersion,
  User,
} from '../models';
import { recordAudit } from '../domain/audit/record';
import { documentsOfClaimant } from '../domain/claims/documents';
import { trailEntryOf } from '../domain/privacy/exports';
import type { DocumentStore } from '../services/documents';
import { cursorBatches, jsonFile, jsonLines, streamZip, type AddZipFile, type ManifestFile, type ZipContent } from '../services/zip-files';
import { DAY_MS } from '../shared/time';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps } from './deps';

export const PRIVACY_EXPORT_FORMAT = 'insurflow-subject-access-export/1';

/**
 * Where an attempt at gathering an export keeps its ZIP in the document store, apart from claim
 * documents (`<tenant>/<document>`). Each attempt has its own key: one Temporal gave up on may still
 * be storing its ZIP, and must neither replace the one of the attempt that marked the export ready
 * nor remove it.
 */
export const privacyExportKey = (tenantId: string, exportId: string, attempt: number) => `privacy/${tenantId}/${exportId}-${attempt}.zip`;

/**
 * Removes every ZIP an export may have stored: each attempt's, and the single key of an export
 * gathered before attempts had keys of their own (still ready in runs started then).
 */
async function removeStoredExport(store: DocumentStore, tenantId: string, exportId: string): Promise<void> {
  await store.remove(`privacy/${tenantId}/${exportId}.zip`);
  for (let attempt = 1; attempt <= PRIVACY_EXPORT_GATHER_ATTEMPTS; attempt++)
    await store.remove(privacyExportKey(tenantId, exportId, attempt));
}

/** A document's name inside the ZIP: its ID (unique) and its file name, kept to safe characters. */
const documentEntry = (document: ClaimDocument) => `documents/${document.id}-${document.fileName.replace(/[^\w.-]/g, '_')}`;

const plain = <M extends { get(options: { plain: true }): object }>(rows: M[]) => rows.map((row) => row.get({ plain: true }));

interface Subject {
  tenantId: string;
  userId: string;
}

/** Every audit event naming the person: as its actor, as the creator of the API key that acted, or as the user it is about. */
const AUDIT_EVENTS_SQL = `
  SELECT e.* FROM audit_events e
   WHERE e.tenant_id = :tenantId
     AND (e.actor_id = :userId OR e.actor_created_by = :userId OR (e.entity_type = 'user' AND e.entity_id = :userId))
   ORDER BY e.occurred_at, e.id`;

/** The JSON files, each small for one person (their own subscriptions, claims, notes, acknowledgements). */
async function rowFiles({ tenantId, userId }: Subject, documents: ClaimDocument[], transaction: Transaction) {
  const user = await User.findOne({ where: { id: userId, tenantId }, transaction, rejectOnEmpty: true });
  const subscriptions = await Subscription.findAll({
    where: { tenantId, policyholderId: userId },
    order: [['createdAt', 'ASC']],
    transaction,
  });
  const subscriptionIds = subscriptions.map((subscription) => subscription.id);
  // Their policies' versions and the changes asked for on them (docs/subscriptions.md, Policy changes).
  const versions = await SubscriptionVersion.findAll({
    where: { tenantId, subscriptionId: subscriptionIds },
    order: [
      ['subscriptionId', 'ASC'],
      ['number', 'ASC'],
    ],
    transaction,
  });
  const changes = await SubscriptionChange.findAll({
    where: { tenantId, subscriptionId: subscriptionIds },
    order: [['createdAt', 'ASC']],
    transaction,
  });
  // The quotes they asked for, their risks included (docs/quotes.md).
  const quotes = await Quote.findAll({ where: { tenantId, requestedById: userId }, order: [['createdAt', 'ASC']], transaction });
  const invoices = await Invoice.findAll({ where: { tenantId, policyholderId: userId }, order: [['createdAt', 'ASC']], transaction });
  const invoiceIds = invoices.map((invoice) => invoice.id);
  const payments = await PremiumPayment.findAll({ where: { tenantId, invoiceId: invoiceIds }, order: [['createdAt', 'ASC']], transaction });
  const refunds = await PremiumRefund.findAll({ where: { tenantId, invoiceId: invoiceIds }, order: [['createdAt', 'ASC']], transaction });
  const claims = await Claim.findAll({
    where: { tenantId, claimantId: userId },
    include: [{ model: ClaimHistory, as: 'history' }],
    order: [
      ['createdAt', 'ASC'],
      [{ model: ClaimHistory, as: 'history' }, 'sequence', 'ASC'],
    ],
    transaction,
  });
  const notes = await ClaimNote.findAll({ where: { tenantId, authorId: userId }, order: [['createdAt', 'ASC']], transaction });
  const revisions = await ClaimNoteRevision.findAll({
    where: { tenantId, noteId: notes.map((note) => note.id) },
    order: [['revision', 'ASC']],
    transaction,
  });
  const acknowledgements = await Acknowledgement.findAll({
    where: { tenantId, employeeId: userId },
    order: [['createdAt', 'ASC']],
    transaction,
  });
  // The records that are the person's: the trail keeps what an event recorded of these alone.
  const own = new Set<string>(
    [user, ...subscriptions, ...quotes, ...invoices, ...claims, ...notes, ...documents, ...acknowledgements].map((row) => row.id),
  );
  const files: Array<[string, ZipContent]> = [
    // toJSON leaves out the password hash and the session version; second-factor secrets are in another table, not read.
    ['account.json', jsonFile({ ...user.toJSON(), locale: user.locale, emailUnverifiedSince: user.emailUnverifiedSince })],
    ['subscriptions.json', jsonFile(plain(subscriptions))],
    ['subscription-versions.json', jsonFile(plain(versions))],
    ['subscription-changes.json', jsonFile(plain(changes))],
    ['quotes.json', jsonFile(plain(quotes))],
    ['invoices.json', jsonFile(plain(invoices))],
    ['premium-payments.json', jsonFile(plain(payments))],
    ['premium-refunds.json', jsonFile(plain(refunds))],
    ['claims.json', jsonFile(plain(claims))],
    [
      'claim-notes.json',
      jsonFile(notes.map((note) => ({ ...note.get({ plain: true }), revisions: plain(revisions.filter((r) => r.noteId === note.id)) }))),
    ],
    ['claim-documents.json', jsonFile(documents.map((document) => ({ ...document.toJSON(), file: documentEntry(document) })))],
    ['acknowledgements.json', jsonFile(plain(acknowledgements))],
  ];
  return { files, own };
}

/** Streams the ZIP into the store under `storageKey` as it is made; answers its SHA-256, size and number of files. */
async function storeZip(subject: Subject, exportId: string, storageKey: string, sequelize: Sequelize, store: DocumentStore) {
  const generatedAt = new Date();
  const files: ManifestFile[] = [];
  const fill = async (addToZip: AddZipFile) => {
    const add = async (name: string, content: ZipContent) => {
      files.push(await addToZip(name, content));
      Context.current().heartbeat(name);
    };
    const transaction = await sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ, readOnly: true });
    let documents: ClaimDocument[];
    try {
      documents = await documentsOfClaimant(subject.tenantId, subject.userId, transaction);
      const { files: rows, own } = await rowFiles(subject, documents, transaction);
      for (const [name, content] of rows) await add(name, content);
      const events = cursorBatches(sequelize, transaction, 'privacy_export_audit', AUDIT_EVENTS_SQL, { ...subject }, (sql) => {
        // A person's trail may be long: each batch proves progress.
        Context.current().heartbeat('audit-events.jsonl');
        return sequelize.query(sql, { transaction, model: AuditEvent, mapToModel: true });
      });
      await add(
        'audit-events.jsonl',
        jsonLines(events, (event) => trailEntryOf(event, own)),
      );
      await transaction.commit();
    } catch (error) {
      await transaction.rollback().catch(() => undefined);
      throw error;
    }
    // The bytes, one document at a time, streamed from the store into the ZIP.
    for (const document of documents) await add(documentEntry(document), await store.read(document.storageKey));
    const manifest = {
      format: PRIVACY_EXPORT_FORMAT,
      exportId,
      subject: { id: subject.userId, tenantId: subject.tenantId },
      generatedAt,
      files,
    };
    await addToZip('manifest.json', jsonFile(manifest));
  };
  const zip = await streamZip((stream) => store.writeStream(storageKey, { stream, contentType: 'application/zip' }), fill, generatedAt);
  return { fileCount: files.length + 1, ...zip };
}

/** The store, or a retryable error: configuration can be mended while the run retries. */
function storeOf(deps: Pick<ActivityDeps, 'documents'>): DocumentStore {
  if (!deps.documents) throw new Error('no document store is configured on this worker');
  return deps.documents;
}

/**
 * Moves the export from one of `from` to `to` with `fields`, and records the move once
 * (`privacy_export.<event>`, its dedupe key the export and the event); answers whether this call
 * moved it and the status it has afterwards, which is not `to` when the row had moved on meanwhile.
 */
function moveExport(
  sequelize: Sequelize,
  row: PrivacyExport,
  move: { from: PrivacyExportStatus[]; to: PrivacyExportStatus; event: string; fields?: Partial<PrivacyExport>; after?: object },
): Promise<{ moved: boolean; status: PrivacyExportStatus }> {
  return sequelize.transaction(async (transaction) => {
    const [moved] = await PrivacyExport.update(
      { ...move.fields, status: move.to },
      { where: { id: row.id, status: { [Op.in]: move.from } }, transaction },
    );
    if (moved === 0) return { moved: false, status: (await PrivacyExport.findByPk(row.id, { transaction, rejectOnEmpty: true })).status };
    await recordAudit(
      workflowAuditSource(),
      {
        tenantId: row.tenantId,
        action: `privacy_export.${move.event}`,
        entityType: 'privacy_export',
        entityId: row.id,
        after: { userId: row.userId, ...move.after },
        dedupeKey: `${row.id}:${move.event}`,
      },
      transaction,
    );
    return { moved: true, status: move.to };
  });
}

export function createPrivacyExportActivities(deps: Pick<ActivityDeps, 'sequelize' | 'documents'>) {
  return {
    /**
     * Gathers the export into the document store and marks it `ready`, unless it has moved on
     * meanwhile: another attempt made it ready first, or the run gave up on this one and failed it.
     * Then the ZIP this attempt stored is nobody's and is removed. An export past gathering is left as it is.
     */
    async gatherPrivacyExport(exportId: string): Promise<PrivacyExportStatus> {
      const row = await PrivacyExport.findByPk(exportId);
      if (!row) throw ApplicationFailure.nonRetryable(`privacy export ${exportId} does not exist`);
      if (row.status !== 'requested' && row.status !== 'gathering') return row.status;
      const store = storeOf(deps);
      await PrivacyExport.update({ status: 'gathering' }, { where: { id: exportId, status: 'requested' } });

      const storageKey = privacyExportKey(row.tenantId, exportId, Context.current().info.attempt);
      const zip = await storeZip({ tenantId: row.tenantId, userId: row.userId }, exportId, storageKey, deps.sequelize, store);
      const readyAt = new Date();
      const summary = { sizeBytes: zip.bytes, sha256: zip.sha256, fileCount: zip.fileCount };
      const { moved, status } = await moveExport(deps.sequelize, row, {
        from: ['gathering'],
        to: 'ready',
        event: 'ready',
        fields: { ...summary, storageKey, readyAt, expiresAt: new Date(readyAt.getTime() + PRIVACY_EXPORT_KEPT_DAYS * DAY_MS) },
        after: summary,
      });
      if (!moved) await store.remove(storageKey);
      return status;
    },

    /**
     * Marks an export whose gathering kept failing `failed`, with the reason, then removes anything
     * stored for it. The row moves first: an attempt the run gave up on that is still storing its ZIP
     * then finds the export failed and removes its own. One such attempt that made it `ready` just
     * before is failed too, since the run that would expire it is ending.
     */
    async failPrivacyExport(exportId: string, reason: string): Promise<void> {
      const row = await PrivacyExport.findByPk(exportId);
      if (!row) return;
      const failureReason = reason.slice(0, 500);
      await moveExport(deps.sequelize, row, {
        from: ['requested', 'gathering', 'ready'],
        to: 'failed',
        event: 'fail',
        fields: { failureReason },
        after: { failureReason },
      });
      if (deps.documents) await removeStoredExport(deps.documents, row.tenantId, exportId);
    },

    /**
     * Once the kept days have passed: a ready export not downloaded becomes `expired`; the stored
     * ZIP is removed either way, also when the row is gone with its user.
     */
    async expirePrivacyExport(input: PrivacyExportInput): Promise<PrivacyExportStatus> {
      const { tenantId, exportId } = input;
      await removeStoredExport(storeOf(deps), tenantId, exportId);
      const row = await PrivacyExport.findByPk(exportId);
      if (!row) return 'expired';
      return (await moveExport(deps.sequelize, row, { from: ['ready'], to: 'expired', event: 'expire' })).status;
    },
  };
}
