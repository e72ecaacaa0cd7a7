/**
 * A plan's rating tables (docs/quotes.md, Rating tables): a tenant admin saves a new version from
 * a date on; the tenant admins, underwriters and claims agents read the versions. Another
 * tenant's plan, or a withdrawn one to a role that does not see it, is 404.
 */
import { listRatingVersions, saveRatingVersion } from '../../../domain/quotes/rating/versions';
import { idParams } from '../../http/common-schemas';
import { operation, operationRoute } from '../../http/operation';
import { route, type RouteSpec, tagged } from '../../http/route';
import { ratingVersionSchema, saveRatingVersionBody } from './rating-schemas';
import Joi from 'joi';

export const saveRatingVersionOperation = operation({
  name: 'catalog.plans.rating.save',
  verb: 'keepRatingTables',
  params: idParams,
  body: saveRatingVersionBody,
  run: saveRatingVersion,
});

export function ratingRoutes(): RouteSpec[] {
  return tagged('catalog', [
    operationRoute(saveRatingVersionOperation, {
      method: 'put',
      path: '/plans/:id/rating',
      summary:
        "Save a new version of a plan's rating tables from effectiveFrom on (today to two years ahead, after the latest version's: 409 otherwise); tables that would not price sensibly are 422 naming each problem",
      response: { status: 201, schema: ratingVersionSchema },
    }),
    route({
      method: 'get',
      path: '/plans/:id/rating',
      summary: "A plan's rating versions, newest first (empty: the plan quotes its fixed premium)",
      verb: 'viewRatingTables',
      params: idParams,
      response: { status: 200, schema: Joi.object({ items: Joi.array().items(ratingVersionSchema) }).label('RatingVersions') },
      handler: async (ctx) => {
        ctx.body = { items: await listRatingVersions(ctx.state.user, ctx.state.input.params.id) };
      },
    }),
  ]);
}
