/** The audit trail, read-only: GET /audit-events' filters, access verb and access policy, and GET /audit-events/verify's check of its chain. */
import { isoDate } from '../../../shared/typed-schema';
import { AuditEvent as AuditEventModel } from '../../../models';
import { auditEventAccess } from '../../../access/audit';
import { auditEventWhere } from '../../audit-events/query';
import { listAuditEventsQuery, verifyAuditChainQuery } from '../../audit-events/schemas';
import { assertVerifiableSpan, verifyChain, type ChainVerification } from '../../../domain/audit/chain';
import { builder } from '../builder';
import { listQuery, orderingOf } from '../connection';
import { callerOf } from '../context';
import { validInput } from '../input';

const AuditEvent = builder.objectRef<AuditEventModel>('AuditEvent').implement({
  description:
    'Who changed what, or who signed in how (category authentication); `changes` is the JSON of REST (changed fields with before and after)',
  fields: (t) => ({
    id: t.exposeID('id'),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    actorType: t.exposeString('actorType'),
    actorId: t.exposeString('actorId', { nullable: true }),
    action: t.exposeString('action'),
    entityType: t.exposeString('entityType'),
    entityId: t.exposeString('entityId'),
    changes: t.string({ resolve: (row) => JSON.stringify(row.changes) }),
    requestId: t.exposeString('requestId', { nullable: true }),
    workflowId: t.exposeString('workflowId', { nullable: true }),
    runId: t.exposeString('runId', { nullable: true }),
    category: t.exposeString('category'),
    clientAddress: t.exposeString('clientAddress', { nullable: true }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
    occurrences: t.exposeInt('occurrences'),
    lastOccurredAt: t.expose('lastOccurredAt', { type: 'DateTime', nullable: true }),
  }),
});

listQuery('auditEvents', AuditEvent, AuditEventModel, {
  description: "The caller's tenant's events (the platform's own for platform admins), filtered and ordered as GET /audit-events",
  verb: 'listAuditEvents',
  args: (t) => ({
    category: t.arg.string({ description: 'change | authentication (tenant and platform admins only)' }),
    entityType: t.arg.string(),
    entityId: t.arg.string(),
    actorId: t.arg.string(),
    action: t.arg.string(),
    from: t.arg.string(),
    to: t.arg.string(),
    ordering: t.arg.string(),
  }),
  rows: (caller, filterArgs) => {
    const filters = validInput(listAuditEventsQuery, filterArgs);
    const where = auditEventWhere(caller, filters, auditEventAccess.scope(caller));
    return { where, order: orderingOf(filters.ordering, { occurredAt: isoDate() }) };
  },
});

const ChainBreak = builder.objectRef<{ id: string; createdAt: string; reason: string }>('AuditChainBreak').implement({
  description: 'The first event that does not verify: content_changed (its hash is not over its content) or link_broken',
  fields: (t) => ({ id: t.exposeID('id'), createdAt: t.exposeString('createdAt'), reason: t.exposeString('reason') }),
});

const ChainVerificationRef = builder.objectRef<ChainVerification>('AuditChainVerification').implement({
  description: "The caller's hash chain recomputed over a span, as GET /audit-events/verify answers it",
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    checked: t.exposeInt('checked'),
    head: t.string({ nullable: true, resolve: (result) => (result.ok ? result.head : null) }),
    firstBroken: t.field({ type: ChainBreak, nullable: true, resolve: (result) => (result.ok ? null : result.firstBroken) }),
  }),
});

builder.queryFields((t) => ({
  auditChainVerification: t.field({
    type: ChainVerificationRef,
    description: "Recomputes the caller's tenant's hash chain (the platform's for platform admins) over [from, to), at most 366 days",
    args: { from: t.arg.string({ required: true }), to: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => {
      const caller = callerOf(context, 'verifyAuditChain');
      const { from, to } = validInput(verifyAuditChainQuery, args);
      assertVerifiableSpan(from, to);
      return verifyChain(context.services.sequelize, caller.tenantId, from, to);
    },
  }),
}));
