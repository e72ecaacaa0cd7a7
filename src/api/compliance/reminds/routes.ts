/**
 * "Remind now" (docs/compliance.md, Remind now): a compliance officer reminds everyone whose
 * acknowledgement of a published version is still open, once, through the run
 * `compliance-remind-<id>`; its progress is read from its recipient rows.
 */
import { remindPending, remindStateOf } from '../../../domain/compliance/remind';
import { complianceRemindAccess } from '../../../access/compliance-requirements';
import { idParams } from '../../http/common-schemas';
import { operation } from '../../http/operation';
import { acceptedRoute } from '../../http/write-route';
import { type RouteSpec, tagged } from '../../http/route';
import { findRoute } from '../../http/row-route';
import { remindSchema, remindStartedSchema } from './schemas';

export function remindRoutes(): RouteSpec[] {
  return tagged('compliance', [
    acceptedRoute(
      operation({
        name: 'compliance.remind',
        verb: 'remindPendingAcknowledgements',
        params: idParams,
        run: (caller, { id }, deps) => remindPending(caller, { versionId: id }, deps),
      }),
      {
        path: '/compliance/versions/:id/remind',
        summary:
          'Remind now: e-mails everyone whose acknowledgement of this published version is open, once (starts compliance-remind-<id>); a repeat with the same Idempotency-Key sends nothing more',
        schema: remindStartedSchema,
        description: 'Started; GET /compliance/reminds/:id shows its progress',
      },
    ),
    findRoute({
      path: '/compliance/reminds/:id',
      summary: 'Progress of a remind: how many of the people it reaches were reminded (done / total)',
      verb: 'viewRemind',
      access: complianceRemindAccess,
      schema: remindSchema,
      view: (remind) => remindStateOf(remind),
    }),
  ]);
}
