import Joi from 'joi';
import { uuid } from '../../http/common-schemas';
import { acknowledgementStateKeys, acknowledgementStatus } from '../schemas';
import { orderingParam, pageQueryKeys } from '../../lists/pagination';
import { object } from '../../../shared/typed-schema';

export const listAcknowledgementsQuery = object({
  ...pageQueryKeys,
  status: acknowledgementStatus,
  ordering: orderingParam(['createdAt', 'dueAt', 'status'], '-createdAt'),
});

export const acknowledgementSchema = Joi.object({
  id: uuid,
  ...acknowledgementStateKeys,
  policy: Joi.object({ id: uuid, title: Joi.string() }),
  version: Joi.object({ id: uuid, versionNumber: Joi.number().integer(), content: Joi.string() }),
}).label('Acknowledgement');
