import { listPlansQuery } from './plans/schemas';
import { slug } from '../onboarding/registrations/schemas';
import { object, required } from '../../shared/typed-schema';

export const catalogParams = object({ tenantSlug: required(slug) });

/** The filters of /plans, except that visitors only ever see active plans. */
export const publicPlansQuery = listPlansQuery.fork(['isActive'], (field) => field.forbidden());
