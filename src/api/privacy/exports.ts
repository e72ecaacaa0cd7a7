/**
 * Subject access exports (docs/privacy.md, Subject access export): ask for one, see how it is
 * getting on, get its single-use download link, and follow it. The download needs no access
 * token (a browser follows the link); its token is the credential.
 */
import { privacyExportAccess } from '../../access/privacy-exports';
import { downloadExport, EXPORT_LINK_MINUTES, exportLink, requestExport } from '../../domain/privacy/exports';
import type { Config } from '../../config';
import { publicCommandDeps } from '../http/command-deps';
import { idParams } from '../http/common-schemas';
import { rateLimit } from '../http/middleware/rate-limit';
import { operation, operationRoute } from '../http/operation';
import { acceptedRoute } from '../http/write-route';
import { route, RouteSpec, tagged } from '../http/route';
import { findRoute } from '../http/row-route';
import { downloadQuery, exportLinkSchema, privacyExportSchema, requestExportBody } from './export-schemas';

export function privacyExportRoutes(config: Config): RouteSpec[] {
  const downloadLimit = rateLimit({ name: 'privacy-export-download', points: config.rateLimit.authPerMinute, durationSeconds: 60 });
  return tagged('privacy', [
    acceptedRoute(operation({ name: 'privacy.requestExport', verb: 'requestPrivacyExport', body: requestExportBody, run: requestExport }), {
      path: '/privacy/exports',
      summary:
        'Ask for a copy of everything recorded about a person (subject access): yourself, or as a tenant admin any user of your tenant (anyone else 403, another tenant’s user 404); gathered by the run privacy-export-<id>; a repeat with the same Idempotency-Key starts nothing',
      schema: privacyExportSchema,
      description: 'Asked; GET /privacy/exports/:id shows when it is ready',
    }),
    findRoute({
      path: '/privacy/exports/:id',
      summary: 'An export’s status: seen by its requester, the person it is about and the tenant’s admins',
      verb: 'viewPrivacyExport',
      access: privacyExportAccess,
      schema: privacyExportSchema,
    }),
    operationRoute(operation({ name: 'privacy.linkExport', verb: 'linkPrivacyExport', params: idParams, run: exportLink }), {
      method: 'post',
      path: '/privacy/exports/:id/link',
      summary: `A download link for a ready export, for its requester: usable once, within ${EXPORT_LINK_MINUTES} minutes; it replaces any earlier link (409 not ready yet)`,
      gone: 'The export was downloaded or has expired: ask for a new one',
      response: { status: 201, schema: exportLinkSchema },
      // The answer is nothing but the link, which is never stored: a repeat with the same
      // Idempotency-Key is refused (409) and a new request (another key) makes a new link.
      secretAnswer: { fields: ['url'], repeat: 'refused' },
      handler: async (ctx, execute) => {
        ctx.set('Cache-Control', 'no-store');
        ctx.status = 201;
        ctx.body = await execute();
      },
    }),
    route({
      method: 'get',
      path: '/privacy/exports/:id/download',
      summary: 'The export’s ZIP, once, through the link its requester was given (404 for a token that is not the link’s)',
      auth: 'public',
      before: [downloadLimit],
      params: idParams,
      query: downloadQuery,
      gone: 'The link was used already or has run out',
      response: { status: 200, description: 'The ZIP (application/zip)' },
      handler: async (ctx) => {
        const download = await downloadExport({ ...ctx.state.input.params, ...ctx.state.input.query }, publicCommandDeps(ctx));
        ctx.type = 'application/zip';
        ctx.set('Content-Disposition', `attachment; filename="${download.fileName}"`);
        ctx.set('Cache-Control', 'no-store');
        ctx.body = download.body;
        ctx.length = download.bytes;
      },
    }),
  ]);
}
