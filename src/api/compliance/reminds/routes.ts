/**
 * "Remind now" (docs/compliance.md, Remind now): a compliance officer reminds everyone whose
 * acknowledgement of a published version is still open, once, through the run
 * `compliance-remind-<id>`; its progress is read from its recipient rows.
 */
import { remindPending, remindStateOf } from '../../../domain/compliance/remind';
import { COMPLIANCE_ROLES } from '../../../access/compliance';
import { complianceRemindAccess } from '../../../access/compliance-requirements';
import { idParams } from '../../http/common-schemas';
import type { RouteSpec } from '../../http/route';
import { commandRoute, findRoute } from '../../http/row-route';
import { remindSchema, remindStartedSchema } from './schemas';

export function remindRoutes(): RouteSpec[] {
  return [
    commandRoute({
      method: 'post',
      path: '/compliance/versions/:id/remind',
      summary:
        'Remind now: e-mails everyone whose acknowledgement of this published version is open, once (starts compliance-remind-<id>); a repeat with the same Idempotency-Key sends nothing more',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      response: { status: 202, schema: remindStartedSchema, description: 'Started; GET /compliance/reminds/:id shows its progress' },
      command: (caller, { id }, deps) => remindPending(caller, { versionId: id }, deps),
    }),
    findRoute({
      path: '/compliance/reminds/:id',
      summary: 'Progress of a remind: how many of the people it reaches were reminded (done / total)',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      access: complianceRemindAccess,
      schema: remindSchema,
      view: (remind, ctx) => remindStateOf(remind, ctx.services),
    }),
  ];
}
