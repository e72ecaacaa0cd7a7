/**
 * "Remind now" (docs/compliance.md, Remind now): a compliance officer reminds everyone whose
 * acknowledgement of a published version is still open, once, through the run
 * `compliance-remind-<id>`; its progress is read from its recipient rows.
 */
import { remindPending, remindStateOf } from '../../../domain/compliance/remind';
import { COMPLIANCE_ROLES } from '../../../access/compliance';
import { complianceRemindAccess } from '../../../access/compliance-requirements';
import { findVisible } from '../../../access/core';
import { commandDeps } from '../../http/command-deps';
import { idParams } from '../../http/common-schemas';
import { route, RouteSpec } from '../../http/route';
import { remindSchema, remindStartedSchema } from './schemas';

export function remindRoutes(): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/compliance/versions/:id/remind',
      summary:
        'Remind now: e-mails everyone whose acknowledgement of this published version is open, once (starts compliance-remind-<id>); a repeat with the same Idempotency-Key sends nothing more',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      response: { status: 202, schema: remindStartedSchema, description: 'Started; GET /compliance/reminds/:id shows its progress' },
      handler: async (ctx) => {
        ctx.status = 202;
        ctx.body = await remindPending(ctx.state.user, { versionId: ctx.state.input.params.id }, commandDeps(ctx));
      },
    }),
    route({
      method: 'get',
      path: '/compliance/reminds/:id',
      summary: 'Progress of a remind: how many of the people it reaches were reminded (done / total)',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      response: { status: 200, schema: remindSchema },
      handler: async (ctx) => {
        const remind = await findVisible(ctx.state.user, complianceRemindAccess, ctx.state.input.params.id);
        ctx.body = await remindStateOf(remind, ctx.services);
      },
    }),
  ];
}
