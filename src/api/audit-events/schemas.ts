import Joi from 'joi';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { AUDIT_CATEGORIES } from '../../models/audit-event';
import { VERIFY_MAX_DAYS } from '../../domain/audit/chain';
import { isoDate, object, required } from '../../shared/typed-schema';

const name = (max: number) =>
  Joi.string()
    .max(max)
    .pattern(/^[a-z][a-z_]*(\.[a-z][a-z_]*)?$/, 'lower-case name');

export const listAuditEventsQuery = object({
  ...pageQueryKeys,
  category: Joi.string()
    .valid(...AUDIT_CATEGORIES)
    .description('authentication: sign-ins, sessions, credentials, API keys (tenant and platform admins only); change: every other event'),
  entityType: name(40).description('e.g. claim, plan, user, subscription, policy_version, tenant_settings'),
  entityId: Joi.string().max(255),
  actorId: Joi.string().max(255).description('A user id, an API key id, or the workflow id of a run'),
  action: name(60).description('e.g. claim.transition, plan.update, user.role_change'),
  from: isoDate().description('Events at or after this instant'),
  to: isoDate()
    .when('from', { is: Joi.exist(), then: Joi.date().min(Joi.ref('from')) })
    .description('Events before this instant'),
  ordering: orderingParam(['occurredAt'], 'occurredAt'),
});

export const auditEventSchema = Joi.object({
  id: Joi.string(),
  tenantId: Joi.string().allow(null),
  occurredAt: Joi.date(),
  actor: Joi.object({
    type: Joi.string().valid('user', 'api_key', 'workflow', 'system'),
    id: Joi.string().allow(null),
    createdBy: Joi.string().description('For an API key: the user who created it'),
  }),
  action: Joi.string(),
  entityType: Joi.string(),
  entityId: Joi.string(),
  changes: Joi.object()
    .pattern(Joi.string(), Joi.object({ before: Joi.any(), after: Joi.any() }))
    .description('Changed fields; secrets and hashes are never recorded'),
  requestId: Joi.string().allow(null),
  workflowId: Joi.string().allow(null),
  runId: Joi.string().allow(null),
  category: Joi.string().valid(...AUDIT_CATEGORIES),
  client: Joi.object({ address: Joi.string().allow(null), userAgent: Joi.string().allow(null) }).description(
    "The request's client address and user agent, where a request made it",
  ),
  reason: Joi.string().allow(null).description("Why, as a category (a failed sign-in's: unknown_account, wrong_password, …)"),
  occurrences: Joi.number().integer().description('How many times it happened: more than 1 for repeated failures counted in one row'),
  lastOccurredAt: Joi.date().allow(null).description('For a counted row: the last time (occurredAt is the first)'),
}).label('AuditEvent');

/** A span of the chain to verify: both ends required, at most a year apart, so one request's work is bounded. */
export const verifyAuditChainQuery = object({
  from: required(isoDate()).description('Events at or after this instant'),
  // How `to` stands to `from` is checked with the span (assertVerifiableSpan: 422), not here: a document
  // cannot state it, and a request it calls valid is not a malformed one.
  to: required(isoDate()).description(`Events before this instant; not before from, at most ${VERIFY_MAX_DAYS} days after it`),
});

export const auditChainVerificationSchema = Joi.object({
  ok: Joi.boolean().description('Every event of the span has its content hash and follows the one before it'),
  checked: Joi.number().integer().description('Events found sound, in chain order'),
  head: Joi.string().allow(null).description("When ok: the hash of the span's last event (null for an empty span)"),
  firstBroken: Joi.object({
    id: Joi.string(),
    createdAt: Joi.string().description('When it occurred (occurredAt), UTC with microseconds'),
    reason: Joi.string().valid('content_changed', 'link_broken'),
  }).description('When not ok: the first event that does not verify, and why'),
}).label('AuditChainVerification');
