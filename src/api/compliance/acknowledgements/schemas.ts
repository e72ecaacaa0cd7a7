import Joi from 'joi';
import { oneLineText, uuid } from '../../http/common-schemas';
import { acknowledgementStateKeys, acknowledgementStatus, sha256 } from '../schemas';
import { orderingParam, pageQueryKeys } from '../../lists/pagination';
import { object } from '../../../shared/typed-schema';

export const listAcknowledgementsQuery = object({
  ...pageQueryKeys,
  status: acknowledgementStatus,
  ordering: orderingParam(['createdAt', 'dueAt', 'status'], '-createdAt'),
});

/** The evidence an employee sends: the JSON body's keys, which the acknowledgement page's form (src/api/pages/acknowledge.ts) requires too. */
export const acknowledgeKeys = {
  contentSha256: sha256.description("SHA-256 (hex) of the version text the client showed; refused (409) unless it is the version's"),
  fullName: oneLineText(200).description('The full name the employee typed to sign'),
};

export const acknowledgeBody = object(acknowledgeKeys).label('AcknowledgeRequest');

export const acknowledgementSchema = Joi.object({
  id: uuid,
  ...acknowledgementStateKeys,
  dueAtLocal: Joi.string().description("dueAt in the tenant's timeZone, ISO 8601 with its offset"),
  policy: Joi.object({ id: uuid, title: Joi.string() }),
  version: Joi.object({ id: uuid, versionNumber: Joi.number().integer(), content: Joi.string(), contentSha256: sha256 }),
}).label('Acknowledgement');
