/**
 * A policy's documents (docs/subscriptions.md, Documents): the schedule of each version, as a PDF
 * in the holder's language. The list only reads: the run that writes a version makes its schedule
 * (issuing, a re-rated renewal, a change), and `admin.js backfill-schedules` those of older
 * policies, so a look never renders a PDF. The subscription is looked up among those the caller may see first: another holder's or another
 * tenant's policy, and a document of another policy, are 404.
 */
import Joi from 'joi';
import { findVisible } from '../../access/core';
import { subscriptionAccess } from '../../access/subscriptions';
import { PolicyDocument, SubscriptionVersion } from '../../models';
import { POLICY_DOCUMENT_KINDS } from '../../models/policy-document';
import { notFound } from '../../shared/errors';
import { object } from '../../shared/typed-schema';
import { uuid, childIdParams } from '../http/common-schemas';
import { type RouteSpec, tagged } from '../http/route';
import { childListRoute, downloadRoute } from '../http/row-route';
import { orderingParam, pageQueryKeys, paginate } from '../lists/pagination';

const documentParams = childIdParams('documentId');

const documentsQuery = object({ ...pageQueryKeys, ordering: orderingParam(['createdAt'], 'createdAt') });

const policyDocumentSchema = Joi.object({
  id: uuid,
  subscriptionId: uuid,
  versionId: uuid,
  versionNumber: Joi.number().integer(),
  effectiveFrom: Joi.string().description('YYYY-MM-DD'),
  kind: Joi.string().valid(...POLICY_DOCUMENT_KINDS),
  language: Joi.string(),
  contentType: Joi.string(),
  sizeBytes: Joi.number().integer(),
  sha256: Joi.string().hex().length(64),
  createdAt: Joi.date(),
}).label('PolicyDocument');

/** A document as answered: with its version's number and effective date, without where the store keeps it. */
function present(document: PolicyDocument, version: SubscriptionVersion | undefined) {
  const { id, subscriptionId, versionId, kind, language, contentType, sizeBytes, sha256, createdAt } = document;
  return {
    id,
    subscriptionId,
    versionId,
    versionNumber: version?.number,
    effectiveFrom: version?.effectiveFrom,
    kind,
    language,
    contentType,
    sizeBytes,
    sha256,
    createdAt,
  };
}

export function subscriptionDocumentRoutes(): RouteSpec[] {
  return tagged('subscriptions', [
    childListRoute({
      path: '/subscriptions/:id/documents',
      summary:
        "A policy's documents: the schedule (PDF) of each version in the holder's language, made when the version was written; its holder and the tenant's staff",
      access: subscriptionAccess,
      query: documentsQuery,
      schema: policyDocumentSchema,
      list: async (subscription, query) => {
        const page = await paginate(PolicyDocument, query, { tenantId: subscription.tenantId, subscriptionId: subscription.id });
        const versions = await SubscriptionVersion.findAll({ where: { id: page.items.map((document) => document.versionId) } });
        const byId = new Map(versions.map((version) => [version.id, version]));
        return { ...page, items: page.items.map((document) => present(document, byId.get(document.versionId))) };
      },
    }),
    downloadRoute({
      path: '/subscriptions/:id/documents/:documentId',
      summary: "One of a policy's documents: the PDF, with its sha256 as ETag; its holder and the tenant's staff",
      contentType: 'application/pdf',
      params: documentParams,
      // The holder's name and address, answered `no-store`.
      cacheControl: 'no-store',
      file: async (caller, id, ctx) => {
        const subscription = await findVisible(caller, subscriptionAccess, id);
        const document = await PolicyDocument.findOne({
          where: { id: ctx.state.input.params.documentId, subscriptionId: subscription.id, tenantId: subscription.tenantId },
        });
        if (!document) throw notFound('Document');
        const version = await SubscriptionVersion.findByPk(document.versionId, { rejectOnEmpty: true });
        return {
          // Made by the server from the policy number (POL-<year>-<digits>): nothing a client wrote.
          fileName: `${subscription.policyNumber}-v${version.number}-${document.kind}-${document.language}.pdf`,
          body: await ctx.services.documents.read(document.storageKey),
          stored: document,
        };
      },
    }),
  ]);
}
