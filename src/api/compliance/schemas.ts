import Joi from 'joi';
import { ACKNOWLEDGEMENT_STATUSES } from '../../contracts/acknowledgement';
import { POLICY_VERSION_STATUSES } from '../../models/policy-version';
import { staffRole } from '../../access/role-schemas';
import type { Role } from '../../shared/roles';
import { multiLineText, oneLineText, tenantRowSchema, uuid, workflowRef } from '../http/common-schemas';
import { orderingParam, pageQueryKeys, pageSchema } from '../lists/pagination';
import { nullable, object, oneOf, required } from '../../shared/typed-schema';

export const acknowledgementStatus = oneOf(ACKNOWLEDGEMENT_STATUSES);
// A pattern, not .hex().length(): the OpenAPI document then says exactly what is accepted.
export const sha256 = Joi.string()
  .pattern(/^[0-9a-fA-F]{64}$/, 'SHA-256 in hex')
  .lowercase();

export const listPoliciesQuery = object({ ...pageQueryKeys, ordering: orderingParam(['createdAt', 'title'], 'createdAt') });

const policyTitle = oneLineText(200);
const policyDescription = nullable(multiLineText(5000).allow(''));
/** Strict: a string or a fraction is refused, not converted. Ten years at most (the column's check agrees). */
const recurrenceDays = nullable(
  Joi.number()
    .strict()
    .integer()
    .min(1)
    .max(3650)
    .description('Every how many days after its publication the current version is attested again; null (the default): once'),
);

export const createPolicyBody = object({
  title: required(policyTitle),
  description: policyDescription,
  recurrenceDays,
}).label('CreateCompliancePolicy');

export const updatePolicyBody = object({ title: policyTitle, description: policyDescription, recurrenceDays })
  .min(1)
  .label('UpdateCompliancePolicy');

export const listVersionsQuery = object({
  ...pageQueryKeys,
  status: oneOf(POLICY_VERSION_STATUSES),
  ordering: orderingParam(['versionNumber', 'createdAt'], '-versionNumber'),
});

const versionContent = multiLineText(100_000);
const versionFields = {
  deadlineDays: nullable(Joi.number().integer().min(1).max(365).description('Days to acknowledge; null takes the tenant setting')),
  audienceRoles: nullable(
    Joi.array<Role[]>().items(staffRole).min(1).unique().description('Roles that must acknowledge; null (the default) means all staff'),
  ),
};

export const createVersionBody = object({ content: required(versionContent), ...versionFields }).label('CreatePolicyVersion');

export const updateVersionBody = object({ content: versionContent, ...versionFields })
  .min(1)
  .label('UpdatePolicyVersion');

export const reportQuery = object({
  ...pageQueryKeys,
  status: acknowledgementStatus,
  cycle: Joi.number()
    .integer()
    .min(1)
    .max(100_000)
    .description("The attestation cycle reported (1 = the publication); default the version's latest"),
  format: oneOf(['json', 'csv'] as const).description('csv: the whole report as a download (same as Accept: text/csv)'),
  ordering: orderingParam(['createdAt', 'status', 'acknowledgedAt', 'escalationLevel'], 'createdAt'),
});

export const escalationsQuery = object({
  ...pageQueryKeys,
  level: Joi.number().integer().valid(1, 2),
  channel: oneOf(['email', 'webhook'] as const),
  versionId: uuid,
  ordering: orderingParam(['createdAt', 'level'], '-createdAt'),
});

export const policySchema = tenantRowSchema('CompliancePolicy', {
  title: Joi.string(),
  description: Joi.string().allow(null, ''),
  recurrenceDays: Joi.number().integer().allow(null).description('Every how many days the current version is attested again; null: once'),
  retiredAt: Joi.date().allow(null).description('A retired policy starts no more cycles and publishes no more versions'),
  createdById: uuid,
});

export const versionSchema = tenantRowSchema('PolicyVersion', {
  policyId: uuid,
  versionNumber: Joi.number().integer(),
  content: Joi.string(),
  contentSha256: sha256.allow(null).description('SHA-256 (hex) of the content, fixed at publication'),
  status: Joi.string().valid(...POLICY_VERSION_STATUSES),
  deadlineDays: Joi.number().integer().allow(null),
  audienceRoles: Joi.array().items(Joi.string()).allow(null),
  createdById: uuid,
  publishedAt: Joi.date().allow(null),
  publishedById: uuid.allow(null),
  dueAt: Joi.date().allow(null),
  retiredAt: Joi.date().allow(null),
  cycle: Joi.number().integer().description('The attestation cycle now running (1 = the publication)'),
  cycleStartedAt: Joi.date().allow(null).description('When the current cycle started; null for cycle 1'),
  submittedAt: Joi.date().allow(null),
  submittedById: uuid.allow(null),
  reviewDueAt: Joi.date().allow(null).description('When the review lapses back to draft'),
  reviewedAt: Joi.date().allow(null),
  reviewedById: uuid.allow(null),
  reviewNote: Joi.string().allow(null).description('Why it went back to draft: the rejection reason, or the lapse'),
  workflowId: Joi.string().allow(null),
});

export const policyWithVersionsSchema = policySchema
  .keys({ versions: Joi.array().items(versionSchema) })
  .label('CompliancePolicyWithVersions');

export const publishResponse = Joi.object({ version: versionSchema, retiredVersionIds: Joi.array().items(uuid) })
  .concat(workflowRef)
  .label('PublishedVersion');

const employeeSchema = Joi.object({ id: uuid, fullName: Joi.string(), email: Joi.string(), role: Joi.string() }).label('Employee');

/** Where an acknowledgement stands: shown to compliance officers (report) and to the employee. */
export const acknowledgementStateKeys = {
  cycle: Joi.number()
    .integer()
    .description("The attestation cycle it belongs to (1 = the publication; a recurring policy's later cycles 2, 3…)"),
  status: acknowledgementStatus,
  dueAt: Joi.date(),
  acknowledgedAt: Joi.date().allow(null),
  remindersSent: Joi.number().integer(),
  escalationLevel: Joi.number().integer(),
  workflowId: Joi.string(),
  exemptedAt: Joi.date().allow(null).description('When the employee left the audience (status exempt)'),
};

export const reportRowSchema = Joi.object({
  acknowledgementId: uuid,
  employee: employeeSchema,
  ...acknowledgementStateKeys,
  evidence: Joi.object({
    contentSha256: sha256.allow(null).description('SHA-256 (hex) of the text the employee was shown'),
    clientAddress: Joi.string().allow(null),
    userAgent: Joi.string().allow(null),
    typedName: Joi.string().allow(null).description('The full name the employee typed'),
  }).description('What the acknowledgement recorded; null fields until acknowledged'),
}).label('ComplianceReportRow');

export const reportSchema = pageSchema(reportRowSchema)
  .keys({
    version: versionSchema,
    cycle: Joi.number().integer().description('The attestation cycle reported'),
    counts: Joi.object({ total: Joi.number(), ...Object.fromEntries(ACKNOWLEDGEMENT_STATUSES.map((s) => [s, Joi.number()])) }),
  })
  .label('ComplianceReport');

export const alertSchema = Joi.object({
  id: uuid,
  acknowledgementId: uuid,
  level: Joi.number().integer(),
  channel: Joi.string(),
  recipients: Joi.array().items(Joi.string()),
  deliveryStatus: Joi.string(),
  lastError: Joi.string().allow(null),
  sentAt: Joi.date().allow(null),
  createdAt: Joi.date(),
  employee: employeeSchema,
  versionId: uuid,
  dueAt: Joi.date(),
}).label('EscalationAlert');

/** GET /compliance/signing-key: what an auditor pins to check evidence packages offline. */
export const signingKeySchema = Joi.object({
  tenantId: uuid,
  algorithm: Joi.string().valid('Ed25519'),
  publicKeyPem: Joi.string().description('The public key, PEM (SPKI): the public-key.pem of every package of the tenant'),
  fingerprint: sha256.description(
    "SHA-256 (hex) of the public key's DER: `openssl pkey -pubin -in public-key.pem -outform DER | sha256sum`",
  ),
  createdAt: Joi.date(),
});
