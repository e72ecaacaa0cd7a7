import Joi from 'joi';
import { RECIPIENT_STATUSES, SAVED_REPORT_KINDS } from '../../../contracts/scheduled-report';
import { CLAIM_GROUPINGS } from '../../../domain/reports/claims-queries';
import { CLAIM_REPORT_SECTIONS, periodKeys, POLICY_REPORT_SECTIONS } from '../../../domain/reports/parameters';
import { POLICY_GROUPINGS } from '../../../domain/reports/policies-queries';
import { cronExpression } from '../../../shared/cron';
import { nullable, object, oneOf, required, withDefault } from '../../../shared/typed-schema';
import { email, oneLineText, uuid } from '../../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../../lists/pagination';

/** Recipients of one scheduled e-mail at most: a report for a team, not a mailing list. */
export const MAX_RECIPIENTS = 20;

const name = oneLineText(120);
const kind = oneOf(SAVED_REPORT_KINDS).description(
  'The report: claims, policies or compliance, as the caller’s role may see it (else 403)',
);
const unique = <T extends string>(values: readonly T[]) => [...new Set(values)];

/**
 * Every key some report takes; which of them fit is the kind's business (422): claims and policies
 * take the period, groupBy and section of GET /reports/claims or /reports/policies, compliance none.
 */
const parameters = object({
  ...periodKeys,
  groupBy: oneOf(unique([...CLAIM_GROUPINGS, ...POLICY_GROUPINGS])),
  section: oneOf(unique([...CLAIM_REPORT_SECTIONS, ...POLICY_REPORT_SECTIONS])),
}).description(
  'The query parameters of the kind’s report but format; without from and to each run covers the 30 days up to its day. Parameters the kind’s report refuses are 422',
);
const recipients = Joi.array()
  .items(email)
  .min(1)
  .max(MAX_RECIPIENTS)
  .description(
    'E-mail addresses the scheduled report is sent to (each once, lower case): active staff of the tenant receive it; any other address is mailed a link and receives it once the link is followed',
  );
const schedule = nullable(cronExpression).description(
  'Cron expression in the tenant’s time zone (GET /tenant/settings, timeZone), e.g. "0 7 * * 1"; null: not scheduled',
);
const paused = Joi.boolean().description('A paused definition’s schedule sends nothing until resumed');

export const createDefinitionBody = object({
  name: required(name),
  kind: required(kind),
  parameters: withDefault(parameters, {}),
  recipients: required(recipients),
  schedule,
  paused,
}).label('CreateReportDefinition');

export const updateDefinitionBody = object({ name, parameters, recipients, schedule, paused }).min(1).label('UpdateReportDefinition');

export const listDefinitionsQuery = object({
  ...pageQueryKeys,
  ordering: orderingParam(['name', 'createdAt'], '-createdAt'),
  kind,
});

export const handOverBody = object({
  ownerId: required(uuid).description('An active user of the tenant whose role may see the definition’s report'),
}).label('HandOverReportDefinition');

export const confirmRecipientBody = object({ token: required(Joi.string().max(200)) }).label('ConfirmReportRecipient');

export const confirmedRecipientSchema = Joi.object({
  email: Joi.string(),
  reportName: Joi.string(),
}).label('ConfirmedReportRecipient');

export const runDefinitionQuery = object({
  format: oneOf(['json', 'csv'] as const).description('csv: a download (same as Accept: text/csv) of the table its section names'),
});

export const definitionSchema = Joi.object({
  id: uuid,
  tenantId: uuid,
  name: Joi.string(),
  kind: Joi.string().valid(...SAVED_REPORT_KINDS),
  parameters: Joi.object().unknown(true),
  recipients: Joi.array().items(Joi.string()),
  schedule: Joi.string().allow(null),
  paused: Joi.boolean(),
  pausedReason: Joi.string()
    .valid('owner_ineligible')
    .allow(null)
    .description('owner_ineligible: paused because its owner may no longer own it; hand it over, then resume it'),
  ownerId: uuid.description('On whose authority it is sent: its creator, until a tenant admin hands it over'),
  recipientStatuses: Joi.array()
    .items(Joi.object({ email: Joi.string(), status: Joi.string().valid(...RECIPIENT_STATUSES) }))
    .description(
      'Each recipient and whether it receives the report: member (active staff) and confirmed (followed its link) do; pending (link not followed) and inactive (a deactivated or unverified account of the tenant) do not',
    ),
  scheduleId: Joi.string().allow(null).description('Its Temporal Schedule, report-<id>, while it has a schedule'),
  createdById: uuid,
  updatedById: uuid,
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
  deletedAt: Joi.date().allow(null).description('soft deletion: always null on rows the API returns'),
}).label('ReportDefinition');
