import Joi from 'joi';
import { multiLineText, oneLineText, uuid } from '../../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../../lists/pagination';
import { nullable, object, required } from '../../../shared/typed-schema';

const name = oneLineText(120);
const description = nullable(multiLineText(2000).allow(''));

export const listCategoriesQuery = object({
  ...pageQueryKeys,
  ordering: orderingParam(['name', 'createdAt'], 'name'),
});

export const createCategoryBody = object({ name: required(name), description }).label('CreateCategory');

export const updateCategoryBody = object({ name, description }).min(1).label('UpdateCategory');

export const categorySchema = Joi.object({
  id: uuid,
  tenantId: uuid,
  name: Joi.string(),
  description: Joi.string().allow(null),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
  deletedAt: Joi.date().allow(null).description('soft deletion: always null on rows the API returns'),
}).label('Category');
