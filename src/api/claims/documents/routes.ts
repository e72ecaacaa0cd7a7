import crypto from 'node:crypto';
import Joi from 'joi';
import { ClaimDocument, OutboxMessage } from '../../../models';
import { claimPolicy, findVisibleDocument } from '../../../policies/claims';
import { findVisible } from '../../../policies/core';
import { TENANT_ROLES } from '../../../shared/roles';
import { DocumentUploaded, documentUploadedSignal } from '../../../contracts/claim';
import { assertClaimOpen } from '../refusals';
import { idParams, uuid } from '../../http/common-schemas';
import { idFromRequest } from '../../http/deterministic-id';
import { unprocessable } from '../../http/errors';
import { deliver, enqueueSignal } from '../../temporal/outbox';
import { pageQueryKeys, pageSchema, paginate } from '../../lists/pagination';
import { route, RouteSpec } from '../../http/route';
import { object, oneOf, required } from '../../../shared/typed-schema';
import { documentKey } from '../../../services/documents';
import { DOCUMENT_TYPES, looksLike, MAX_DOCUMENT_BYTES, sha256Of } from './content';
import { assertRoomForDocument } from './quota';
import { requestAuditSource } from '../../http/audit-source';
import { recordAudit } from '../../../services/audit';

const uploadBody = object({
  fileName: required(
    Joi.string()
      .trim()
      .min(1)
      .max(200)
      .pattern(/^[^/\\]+$/, 'no path separators'),
  ),
  contentType: required(oneOf(DOCUMENT_TYPES)),
  contentBase64: required(Joi.string().base64()),
}).label('UploadClaimDocument');

const listDocumentsQuery = object(pageQueryKeys);

const documentSchema = Joi.object({
  id: uuid,
  tenantId: uuid,
  claimId: uuid,
  uploadedById: uuid,
  fileName: Joi.string(),
  contentType: Joi.string(),
  sizeBytes: Joi.number().integer(),
  sha256: Joi.string().hex().length(64),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('ClaimDocument');

export function documentRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/claims/:id/documents',
      summary: "The claim's documents (metadata): the tenant's staff and the claimant",
      tag: 'documents',
      roles: TENANT_ROLES,
      params: idParams,
      query: listDocumentsQuery,
      response: { status: 200, schema: pageSchema(documentSchema) },
      handler: async (ctx) => {
        const claim = await findVisible(ctx.state.user, claimPolicy, ctx.state.input.params.id);
        ctx.body = await paginate(ClaimDocument, { ...ctx.state.input.query, ordering: 'createdAt' }, { claimId: claim.id });
      },
    }),

    route({
      method: 'post',
      path: '/claims/:id/documents',
      summary: `Upload a document (JSON, base64 content; PDF, PNG or JPEG up to ${MAX_DOCUMENT_BYTES / 1024} KiB); wakes a claim waiting for documents; 422 quota_exceeded past the documents per claim or the tenant's bytes`,
      tag: 'documents',
      roles: TENANT_ROLES,
      params: idParams,
      body: uploadBody,
      response: { status: 201, schema: documentSchema },
      handler: async (ctx) => {
        const { user } = ctx.state;
        const { documents, logger } = ctx.services;
        const claim = await findVisible(user, claimPolicy, ctx.state.input.params.id);
        assertClaimOpen(claim);
        const { fileName, contentType, contentBase64 } = ctx.state.input.body;
        const bytes = Buffer.from(contentBase64, 'base64');
        if (bytes.length === 0 || bytes.length > MAX_DOCUMENT_BYTES) {
          throw unprocessable(`A document must hold 1 byte to ${MAX_DOCUMENT_BYTES / 1024} KiB`, [
            { field: 'contentBase64', message: `decoded size is ${bytes.length} bytes` },
          ]);
        }
        if (!looksLike(contentType, bytes)) {
          throw unprocessable(`The content is not a ${contentType} file`, [
            { field: 'contentBase64', message: 'content does not match contentType' },
          ]);
        }
        const key = ctx.get('Idempotency-Key');
        const documentId = key ? idFromRequest('claim-document', user.id, key, claim.id) : crypto.randomUUID();
        const recordedDocument = () => ClaimDocument.findOne({ where: { id: documentId, claimId: claim.id } });
        // A repeat of an upload whose answer was lost finds the document it stored, signalled once.
        const stored = key ? await recordedDocument() : null;
        if (stored) {
          ctx.status = 201;
          ctx.body = stored;
          return;
        }
        await assertRoomForDocument(ctx.services.config.documentQuota, claim, bytes.length);
        const storageKey = documentKey(claim.tenantId, documentId);
        const sha256 = sha256Of(bytes);
        // Stored before the row exists: a row never points at bytes that are not there.
        await documents.write(storageKey, { bytes, contentType, sha256 });
        const uploaded: DocumentUploaded = { documentId, fileName, uploadedById: user.id };
        let document: ClaimDocument;
        let signal: OutboxMessage;
        try {
          // The document and the signal that wakes a claim waiting for it commit together; the
          // workflow, not this (possibly stale) row, decides whether the claim was waiting.
          [document, signal] = await ctx.services.sequelize.transaction(async (transaction) => {
            await assertRoomForDocument(ctx.services.config.documentQuota, claim, bytes.length, transaction);
            const created = await ClaimDocument.create(
              {
                id: documentId,
                tenantId: claim.tenantId,
                claimId: claim.id,
                uploadedById: user.id,
                fileName,
                contentType,
                sizeBytes: bytes.length,
                sha256,
                storageKey,
              },
              { transaction },
            );
            const message = await enqueueSignal(
              claim.workflowId,
              { signalName: documentUploadedSignal.name, args: [uploaded] },
              transaction,
            );
            const after = { documentId, fileName, contentType, sizeBytes: bytes.length };
            await recordAudit(
              requestAuditSource(ctx),
              { tenantId: claim.tenantId, action: 'claim.document_upload', entityType: 'claim', entityId: claim.id, after },
              transaction,
            );
            return [created, message] as const;
          });
        } catch (err) {
          if (key) {
            // A repeat that raced the request it repeats (same key, so the same bytes under the same
            // storage key): if that one recorded the document, it is the answer and its bytes stay.
            const recorded = await recordedDocument();
            if (recorded) {
              ctx.status = 201;
              ctx.body = recorded;
              return;
            }
          }
          // The row's failure is the answer; bytes left behind by a failed removal are never served.
          await documents
            .remove(storageKey)
            .catch((removeErr: unknown) =>
              logger.warn({ err: removeErr, storageKey }, 'could not remove the bytes of a document that was not recorded'),
            );
          throw err;
        }
        // Kept either way: if Temporal does not take the signal now, the outbox relay delivers it.
        await deliver(ctx.services, signal);
        ctx.status = 201;
        ctx.body = document;
      },
    }),

    route({
      method: 'get',
      path: '/documents/:id/content',
      summary: "A document's bytes, with its content type and sha256 as ETag: the tenant's staff and the claimant",
      tag: 'documents',
      roles: TENANT_ROLES,
      params: idParams,
      response: { status: 200, description: 'The document bytes (application/pdf, image/png or image/jpeg)' },
      handler: async (ctx) => {
        const document = await findVisibleDocument(ctx.state.user, ctx.state.input.params.id);
        // Opened before any header is set, so a store that fails answers with the JSON error body.
        const content = await ctx.services.documents.read(document.storageKey);
        ctx.type = document.contentType;
        ctx.set('Content-Disposition', `attachment; filename="${document.fileName.replace(/[^\w. -]/g, '_')}"`);
        ctx.set('ETag', `"${document.sha256}"`);
        // Claim evidence: no browser or proxy cache keeps a copy.
        ctx.set('Cache-Control', 'no-store');
        // Streamed from the store to the client, never held whole in memory.
        ctx.body = content;
        ctx.length = document.sizeBytes;
      },
    }),
  ];
}
