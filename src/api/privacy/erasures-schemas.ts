import Joi from 'joi';
import { ERASURE_STATUSES, PRIVACY_REASON_MAX_LENGTH } from '../../contracts/privacy-erasure';
import { object, required } from '../../shared/typed-schema';
import { printableText, uuid } from '../http/common-schemas';

/** A reason of the tenant's own words, bounded; shared by erasures and legal holds. */
export const privacyReason = printableText(PRIVACY_REASON_MAX_LENGTH).description(
  `Why, in at most ${PRIVACY_REASON_MAX_LENGTH} characters (kept with the record: do not name the person)`,
);

export const requestErasureBody = object({
  userId: required(uuid.description('A user of the tenant')),
  reason: required(privacyReason),
}).label('RequestErasure');

const tableErasureSchema = Joi.object({
  deleted: Joi.number().integer().description('Rows deleted'),
  pseudonymised: Joi.number().integer().description("Rows kept with the person's text, name or addresses replaced"),
  kept: Joi.number().integer().description('Rows kept as they were: they name the person by ID only'),
  keepUntil: Joi.string()
    .pattern(/^\d{4}-\d{2}-\d{2}$/)
    .allow(null)
    .description(
      "The day (YYYY-MM-DD) kept rows of this kind may be deleted, by the tenant's retention rules; null while running or when none is kept",
    ),
}).label('TableErasure');

const keptRowsDeletionSchema = Joi.object({
  deleted: Joi.number().integer().description('Rows deleted'),
  deletedAt: Joi.date().description('When'),
}).label('KeptRowsDeletion');

const keptRowsSchema = Joi.object({
  dueOn: Joi.string()
    .pattern(/^\d{4}-\d{2}-\d{2}$/)
    .allow(null)
    .description(
      'The next day (YYYY-MM-DD) the daily deletion looks at the kept rows: the earliest keepUntil not yet deleted, or the day after a deletion had to wait; null once all are deleted, or while the erasure is not completed',
    ),
  deleted: Joi.object()
    .pattern(Joi.string(), keptRowsDeletionSchema)
    .description('Per table, the kept rows deleted once their keepUntil day came, and when (audit events are never deleted)'),
}).label('KeptRowsDeletions');

export const erasureSchema = Joi.object({
  id: uuid,
  userId: uuid,
  requestedById: uuid,
  reason: Joi.string(),
  status: Joi.string()
    .valid(...ERASURE_STATUSES)
    .description('pending until its run starts, running, then completed, or blocked by a legal hold placed since the request'),
  stepsDone: Joi.array().items(Joi.string()).description('The steps taken, in order'),
  tables: Joi.object().pattern(Joi.string(), tableErasureSchema).description('Per table, what became of the rows of the person'),
  keptRows: keptRowsSchema,
  workflowId: Joi.string(),
  runId: Joi.string().allow(null),
  createdAt: Joi.date(),
  finishedAt: Joi.date().allow(null),
}).label('Erasure');
