import { WorkflowNotFoundError } from '@temporalio/client';
import { Acknowledgement, CompliancePolicy, PolicyVersion } from '../../../models';
import { acknowledgementPolicy } from '../../../policies/compliance';
import { findVisible, tenantOf } from '../../../policies/core';
import { STAFF_ROLES } from '../../../shared/roles';
import { acknowledgeUpdate } from '../../../contracts/acknowledgement';
import { idParams } from '../../http/common-schemas';
import { conflict } from '../../http/errors';
import { pageSchema, paginate } from '../../lists/pagination';
import { route, RouteSpec } from '../../http/route';
import { decideByUpdate } from '../../temporal/calls';
import { acknowledgementSchema, listAcknowledgementsQuery } from './schemas';

const WITH_VERSION = [{ model: PolicyVersion, as: 'version', include: [{ model: CompliancePolicy, as: 'policy' }] }];

type AcknowledgementWithVersion = Acknowledgement & { version: PolicyVersion & { policy: CompliancePolicy } };

/** What the employee sees: the duty, its deadline and the text to acknowledge. */
function present(ack: Acknowledgement) {
  const { version } = ack as AcknowledgementWithVersion;
  return {
    id: ack.id,
    status: ack.status,
    dueAt: ack.dueAt,
    acknowledgedAt: ack.acknowledgedAt,
    remindersSent: ack.remindersSent,
    escalationLevel: ack.escalationLevel,
    workflowId: ack.workflowId,
    policy: { id: version.policy.id, title: version.policy.title },
    version: { id: version.id, versionNumber: version.versionNumber, content: version.content },
  };
}

export function acknowledgementRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/acknowledgements',
      summary: "The caller's own policy acknowledgements",
      tag: 'acknowledgements',
      roles: STAFF_ROLES,
      query: listAcknowledgementsQuery,
      response: { status: 200, schema: pageSchema(acknowledgementSchema) },
      handler: async (ctx) => {
        const { status, ...page } = ctx.state.input.query;
        const where = { tenantId: tenantOf(ctx.state.user), employeeId: ctx.state.user.id, ...(status && { status }) };
        const result = await paginate(Acknowledgement, page, where, { include: WITH_VERSION });
        ctx.body = { items: result.items.map(present), pagination: result.pagination };
      },
    }),
    route({
      method: 'post',
      path: '/acknowledgements/:id/acknowledge',
      summary: 'Acknowledge a policy version (only the employee it is addressed to; once)',
      tag: 'acknowledgements',
      roles: STAFF_ROLES,
      params: idParams,
      response: { status: 200, schema: acknowledgementSchema },
      handler: async (ctx) => {
        const ack = await findVisible(ctx.state.user, acknowledgementPolicy, ctx.state.input.params.id, { action: 'acknowledge', include: WITH_VERSION });
        try {
          // Asked of the run even when the row says it is closed: a repeat of the request that
          // closed it (same Idempotency-Key) gets that request's answer instead of a 409.
          await decideByUpdate(ctx, (temporal) => temporal.workflow.getHandle(ack.workflowId!), acknowledgeUpdate, { userId: ctx.state.user.id });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          // A closed run cannot answer; the row says why it closed.
          if (ack.status === 'acknowledged') throw conflict('This acknowledgement was already given', [{ field: 'status', message: 'is acknowledged' }]);
          if (ack.status === 'superseded') throw conflict('This policy version was superseded by a newer one', [{ field: 'status', message: 'is superseded' }]);
          throw conflict('This acknowledgement is no longer open');
        }
        ctx.body = present(await ack.reload());
      },
    }),
  ];
}
