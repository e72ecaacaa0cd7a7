/**
 * A person's erasure (docs/privacy.md, Erasure, retention and legal holds): tenant admins ask for
 * it and follow it; the writes are src/domain/privacy/erasure.ts.
 */
import { erasureView, requestErasure } from '../../domain/privacy/erasure';
import { privacyErasureAccess } from '../../access/privacy-erasures';
import { operation } from '../http/operation';
import { acceptedRoute } from '../http/write-route';
import { type RouteSpec, tagged } from '../http/route';
import { findRoute } from '../http/row-route';
import { erasureSchema, requestErasureBody } from './erasures-schemas';

export function erasureRoutes(): RouteSpec[] {
  return tagged('privacy', [
    acceptedRoute(operation({ name: 'privacy.requestErasure', verb: 'requestErasure', body: requestErasureBody, run: requestErasure }), {
      path: '/privacy/erasures',
      summary:
        "Erase a person of the tenant (tenant admins) as one run privacy-erasure-<id>: their uploaded documents and tokens are deleted, their notes' text erased, their name and addresses pseudonymised wherever the records the law keeps copy them, their account deactivated. 409 legal_hold while a hold on them is active, 409 claim_open (details: each open claim) while a claim of theirs is not closed, 409 money_owed (details: each policy's credit and refunds pending) while the insurer owes them money; a repeat with the same Idempotency-Key starts nothing",
      schema: erasureSchema,
      description: 'Accepted; GET /privacy/erasures/:id shows its progress',
    }),
    findRoute({
      path: '/privacy/erasures/:id',
      summary:
        'An erasure: its status, the steps taken and, per table, the rows deleted, pseudonymised and kept, and until when; once that day has come, the kept rows deleted by the daily deletion and when (keptRows)',
      verb: 'viewErasure',
      access: privacyErasureAccess,
      schema: erasureSchema,
      view: erasureView,
    }),
  ]);
}
