import Joi from 'joi';
import { listPlansQuery } from '../plans/schemas';
import { slug } from '../registrations/schemas';

export const catalogParams = Joi.object({ tenantSlug: slug.required() });

/** The filters of /plans, except that visitors only ever see active plans. */
export const publicPlansQuery = listPlansQuery.fork(['isActive'], (field) => field.forbidden());
