import Joi from 'joi';
import { DOCUMENT_KINDS } from '../../../contracts/claim';
import { DOCUMENT_TYPES, MAX_DOCUMENT_BYTES } from '../../../domain/claims/document-content';
import { uploadClaimDocument } from '../../../domain/claims/commands';
import { classifyClaimDocument, withdrawClaimDocument } from '../../../domain/claims/documents';
import { ClaimDocument } from '../../../models';
import { findVisibleDocument } from '../../../access/claims';
import { object, oneOf, required, withDefault } from '../../../shared/typed-schema';
import { idParams, oneLineText, uuid } from '../../http/common-schemas';
import { actionRoute, createRoute, updateRoute } from '../../http/write-route';
import { operation } from '../../http/operation';
import { type RouteSpec, tagged } from '../../http/route';
import { downloadRoute } from '../../http/row-route';
import { claimItemListRoute } from '../item-list';
import { withdrawalBody, withdrawalFields } from '../schemas';

const kind = oneOf(DOCUMENT_KINDS);

const uploadBody = object({
  fileName: required(oneLineText(200).pattern(/^[^/\\]+$/, 'no path separators')),
  contentType: required(oneOf(DOCUMENT_TYPES)),
  contentBase64: required(Joi.string().base64()),
  kind: withDefault(kind, 'other'),
}).label('UploadClaimDocument');

const classifyBody = object({ kind: required(kind) }).label('ClassifyClaimDocument');

const documentSchema = Joi.object({
  id: uuid,
  tenantId: uuid,
  claimId: uuid,
  uploadedById: uuid,
  fileName: Joi.string(),
  contentType: Joi.string(),
  sizeBytes: Joi.number().integer(),
  sha256: Joi.string().hex().length(64),
  kind,
  ...withdrawalFields,
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('ClaimDocument');

export function documentRoutes(): RouteSpec[] {
  return tagged('documents', [
    claimItemListRoute({
      path: '/claims/:id/documents',
      summary:
        "The claim's documents (metadata): the tenant's staff and the claimant; withdrawn ones too with includeWithdrawn=true (tenant admins only)",
      verb: 'listClaimDocuments',
      model: ClaimDocument,
      schema: documentSchema,
    }),

    createRoute(
      operation({
        name: 'claims.uploadDocument',
        verb: 'uploadClaimDocument',
        params: idParams,
        body: uploadBody,
        run: (caller, { contentBase64, ...document }, deps) =>
          uploadClaimDocument(caller, { ...document, bytes: Buffer.from(contentBase64, 'base64') }, deps),
      }),
      {
        path: '/claims/:id/documents',
        summary: `Upload a document (JSON, base64 content; PDF, PNG or JPEG up to ${MAX_DOCUMENT_BYTES / 1024} KiB); wakes a claim waiting for documents; 422 quota_exceeded past the documents per claim or the tenant's bytes`,
        schema: documentSchema,
      },
    ),

    downloadRoute({
      path: '/documents/:id/content',
      summary: "A document's bytes, with its content type and sha256 as ETag: the tenant's staff and the claimant",
      verb: 'downloadClaimDocument',
      contentType: DOCUMENT_TYPES,
      // Claim evidence, answered `no-store`.
      cacheControl: 'no-store',
      file: async (caller, id, ctx) => {
        const document = await findVisibleDocument(caller, id);
        return {
          // The client's name as uploaded (one line, no path separator); downloadRoute writes it into the header safely.
          fileName: document.fileName,
          // Streamed from the store to the client, never held whole in memory.
          body: await ctx.services.documents.read(document.storageKey),
          stored: document,
        };
      },
    }),

    updateRoute(
      operation({
        name: 'claims.classifyDocument',
        verb: 'classifyClaimDocument',
        params: idParams,
        body: classifyBody,
        run: classifyClaimDocument,
      }),
      {
        method: 'patch',
        path: '/documents/:id',
        summary:
          "Set a document's kind (photo, estimate, invoice, police_report, medical_report, other): its uploader or the tenant's staff",
        schema: documentSchema,
      },
    ),

    actionRoute(
      operation({
        name: 'claims.withdrawDocument',
        verb: 'withdrawClaimDocument',
        params: idParams,
        body: withdrawalBody,
        run: withdrawClaimDocument,
      }),
      {
        path: '/documents/:id/withdraw',
        summary:
          'Withdraw a document (its uploader or a claims manager; reason required): hidden from the list and from download, its bytes kept; tenant admins still see it',
        schema: documentSchema,
      },
    ),
  ]);
}
