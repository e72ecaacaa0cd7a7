import { WITH_VERSION } from '../../../domain/compliance/commands';
import { Acknowledgement, CompliancePolicy, PolicyVersion } from '../../../models';
import { tenantOf } from '../../../access/core';
import { localTimeIn } from '../../../domain/calendars/local-time';
import { actionRoute } from '../../http/write-route';
import { pageSchema, paginate } from '../../lists/pagination';
import { RouteSpec, tagged } from '../../http/route';
import { readRoute } from '../../http/row-route';
import { acknowledgeOperation } from '../operations';
import { acknowledgementSchema, listAcknowledgementsQuery } from './schemas';

/** The column's size: a longer User-Agent header is kept cut, not refused (the client does not choose it). */

type AcknowledgementWithVersion = Acknowledgement & { version: PolicyVersion & { policy: CompliancePolicy } };

type LocalTime = Awaited<ReturnType<typeof localTimeIn>>;

/** What the employee sees: the duty, its deadline (also in the tenant's time zone) and the text to acknowledge. */
function present(ack: Acknowledgement, local: LocalTime) {
  const { version } = ack as AcknowledgementWithVersion;
  return {
    id: ack.id,
    cycle: ack.cycle,
    status: ack.status,
    dueAt: ack.dueAt,
    dueAtLocal: local(ack.dueAt),
    acknowledgedAt: ack.acknowledgedAt,
    remindersSent: ack.remindersSent,
    escalationLevel: ack.escalationLevel,
    workflowId: ack.workflowId,
    exemptedAt: ack.exemptedAt,
    policy: { id: version.policy.id, title: version.policy.title },
    version: {
      id: version.id,
      versionNumber: version.versionNumber,
      content: version.content,
      contentSha256: PolicyVersion.hashContent(version.content),
    },
  };
}

export function acknowledgementRoutes(): RouteSpec[] {
  return tagged('acknowledgements', [
    readRoute({
      path: '/acknowledgements',
      summary: "The caller's own policy acknowledgements",
      verb: 'listOwnAcknowledgements',
      query: listAcknowledgementsQuery,
      schema: pageSchema(acknowledgementSchema),
      read: async (ctx) => {
        const { status, ...page } = ctx.state.input.query;
        const tenantId = tenantOf(ctx.state.user);
        const where = { tenantId, employeeId: ctx.state.user.id, ...(status && { status }) };
        const [result, local] = await Promise.all([
          paginate(Acknowledgement, page, where, { include: WITH_VERSION }),
          localTimeIn(tenantId),
        ]);
        return { items: result.items.map((ack) => present(ack, local)), pagination: result.pagination };
      },
    }),
    actionRoute(acknowledgeOperation, {
      path: '/acknowledgements/:id/acknowledge',
      summary:
        'Acknowledge a policy version (only the employee it is addressed to; once), recording the hash of its text, the client address and user agent, and the full name typed',
      schema: acknowledgementSchema,
      view: async (ack) => present(ack, await localTimeIn(ack.tenantId)),
    }),
  ]);
}
