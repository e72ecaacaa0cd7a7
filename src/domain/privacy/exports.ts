/**
 * Subject access exports (docs/privacy.md, Subject access export): asking for one, the
 * requester's single-use download link, and the download itself. The row, its audit event and the
 * start of its run `privacy-export-<id>` are written in one transaction (outbox); the export's ID
 * follows from the Idempotency-Key, so a repeat finds the export it made and starts nothing.
 */
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { Op, UniqueConstraintError } from 'sequelize';
import { privacyExportRun, type PrivacyExportWorkflow } from '../../contracts/privacy-export';
import { type AuditEvent, PrivacyErasure, PrivacyExport, User } from '../../models';
import { findVisible } from '../../access/core';
import { exportTenantOf, mayHaveExportAbout, privacyExportAccess } from '../../access/privacy-exports';
import { recordAudit } from '../audit/record';
import { hashToken, mintToken } from '../../services/single-use-tokens';
import { idFromRequest } from '../../shared/deterministic-id';
import { conflict, linkGone, notFound } from '../../shared/errors';
import type { Command, PublicCommand } from '../command';
import { createWithRun } from '../runs';
import { personLockedForUpdate } from './holds';

/**
 * An audit event as the person's export holds it (docs/privacy.md, Subject access export): whole
 * where it is about one of their own records (`own`: their user row, policies, quotes, invoices,
 * claims, notes, documents, acknowledgements), else what they did, on which record and when
 * without what it recorded of that record (`changes` null). A member of staff's trail is full of
 * other people's claims and accounts, whose content is those people's data, not theirs (GDPR Art.
 * 15(4)); their own acts stay listed.
 */
export function trailEntryOf(event: AuditEvent, own: ReadonlySet<string>): object {
  const entry = event.toJSON();
  return own.has(event.entityId) ? entry : { ...entry, changes: null };
}

/** How long a download link may be followed, once. */
export const EXPORT_LINK_MINUTES = 15;

export const requestExport: Command<{ userId: string }, PrivacyExport> = async (caller, input, deps) => {
  const tenantId = exportTenantOf(caller, input.userId);
  const subject = await User.findOne({ where: { id: input.userId, tenantId } });
  if (!subject) throw notFound('User');
  const key = deps.idempotencyKey;
  const id = key ? idFromRequest('privacy-export', caller.id, key, subject.id) : crypto.randomUUID();
  // A repeat whose answer was lost finds the export it made, and starts nothing.
  const earlier = key ? await PrivacyExport.findOne({ where: { id, tenantId } }) : null;
  if (earlier) return earlier;
  const workflowId = privacyExportRun.id(id);
  try {
    return await createWithRun<PrivacyExportWorkflow, PrivacyExport>(deps, async (transaction) => {
      // The person locked as an erasure's request locks them (it refuses while an export is gathered): an
      // export gathered beside an erasure would be stored after its `exports` step and keep what it removes.
      await personLockedForUpdate(tenantId, subject.id, transaction);
      if (await PrivacyErasure.count({ where: { userId: subject.id, status: ['pending', 'running'] }, transaction }))
        throw conflict('This person’s data is being erased: an export would keep what the erasure removes', [
          { field: 'userId', message: 'is being erased', rule: 'erasure_in_progress' },
        ]);
      const row = await PrivacyExport.create({ id, tenantId, userId: subject.id, requestedById: caller.id, workflowId }, { transaction });
      await recordAudit(
        deps.auditSource,
        {
          tenantId,
          action: 'privacy_export.request',
          entityType: 'privacy_export',
          entityId: id,
          after: { userId: subject.id, requestedById: caller.id, workflowId },
        },
        transaction,
      );
      return {
        row,
        start: {
          workflowType: privacyExportRun.type,
          args: [{ tenantId, exportId: id }],
          tenantId,
          status: 'requested',
          summary: `Subject access export of user ${subject.id}`,
        },
      };
    });
  } catch (err) {
    // The partial unique index of migration 0063: one export of a person in progress at a time.
    if (err instanceof UniqueConstraintError)
      throw conflict('An export of this person is being gathered; wait for it to be ready', [
        { field: 'userId', message: 'has an export in progress' },
      ]);
    throw err;
  }
};

export interface ExportLink {
  url: string;
  expiresAt: Date;
}

/**
 * A new download link for a ready export, for its requester alone (anyone else who sees it: 404):
 * a random token, stored only as its SHA-256, valid EXPORT_LINK_MINUTES and never past the export's
 * own expiry. It replaces any earlier link. An export not yet ready is 409; one downloaded or
 * expired 410.
 */
export const exportLink: Command<{ id: string }, ExportLink> = async (caller, input, deps) => {
  const row = await findVisible(caller, privacyExportAccess, input.id, { action: 'link' });
  if (row.status === 'downloaded' || row.status === 'expired') throw linkGone(`This export is ${row.status}; ask for a new one`);
  if (row.status !== 'ready')
    throw conflict(`This export is ${row.status}; a link is given once it is ready`, [{ field: 'status', message: `is ${row.status}` }]);
  const { token, tokenHash } = mintToken();
  const expiresAt = new Date(Math.min(Date.now() + EXPORT_LINK_MINUTES * 60_000, row.expiresAt!.getTime()));
  await deps.sequelize.transaction(async (transaction) => {
    await row.update({ linkTokenHash: tokenHash, linkExpiresAt: expiresAt }, { transaction });
    await recordAudit(
      deps.auditSource,
      {
        tenantId: row.tenantId,
        action: 'privacy_export.link',
        entityType: 'privacy_export',
        entityId: row.id,
        after: { linkExpiresAt: expiresAt },
      },
      transaction,
    );
  });
  const url = `${deps.config.api.publicUrl}/api/v1/privacy/exports/${row.id}/download?token=${encodeURIComponent(token)}`;
  return { url, expiresAt };
};

export interface ExportDownload {
  fileName: string;
  bytes: number;
  body: Readable;
}

/**
 * The ZIP, once, for whoever holds the link. The stored file is opened first, so a store that is
 * down answers 503 and the link stays usable; then the row moves from `ready` to `downloaded` in
 * one statement that checks the token and its expiry, so two requests with the same link never
 * both get the file. An unknown export or a token that is not its link's is 404; a link used or
 * run out 410. The stored ZIP is removed once it has been sent. The link was its requester's: an export about
 * another person whose requester may no longer have it (demoted from tenant admin, deactivated) is answered 404 as
 * for an unknown link, the export left ready.
 */
/**
 * Whether the export's requester may still have it: a person's own export is theirs; one about another person only
 * while its requester is an active member of its tenant who may ask for it (`mayHaveExportAbout`).
 */
async function requesterEntitled(row: PrivacyExport): Promise<boolean> {
  if (row.requestedById === row.userId) return true;
  const requester = await User.findOne({ where: { id: row.requestedById, tenantId: row.tenantId, isActive: true } });
  return requester !== null && mayHaveExportAbout(requester, row.userId);
}

export const downloadExport: PublicCommand<{ id: string; token: string }, ExportDownload> = async (input, deps) => {
  const tokenHash = hashToken(input.token);
  const found = await PrivacyExport.findByPk(input.id);
  if (!found || !found.linkTokenHash || found.linkTokenHash !== tokenHash) throw notFound('Download link');
  if (!(await requesterEntitled(found))) throw notFound('Download link');
  if (found.status !== 'ready') throw linkGone(`This link was used or has run out (the export is ${found.status})`);
  if (found.linkExpiresAt! <= new Date()) throw linkGone('This link has run out; ask for a new one');
  const body = await deps.documents.read(found.storageKey!);
  try {
    const taken = await deps.sequelize.transaction(async (transaction) => {
      const [moved] = await PrivacyExport.update(
        { status: 'downloaded', downloadedAt: new Date() },
        { where: { id: found.id, status: 'ready', linkTokenHash: tokenHash, linkExpiresAt: { [Op.gt]: new Date() } }, transaction },
      );
      if (moved === 0) return false;
      await recordAudit(
        { ...deps.auditSource, actor: { type: 'user', id: found.requestedById } },
        {
          tenantId: found.tenantId,
          action: 'privacy_export.download',
          entityType: 'privacy_export',
          entityId: found.id,
          after: { userId: found.userId, sizeBytes: found.sizeBytes, sha256: found.sha256 },
        },
        transaction,
      );
      return true;
    });
    if (!taken) throw linkGone('This link was used or has run out');
  } catch (err) {
    body.destroy();
    throw err;
  }
  body.once('close', () => {
    deps.documents
      .remove(found.storageKey!)
      .catch((err: unknown) => deps.logger.warn({ err, exportId: found.id }, 'downloaded export not removed'));
  });
  return { fileName: `subject-access-export-${found.id}.zip`, bytes: found.sizeBytes!, body };
};
