/**
 * The public catalog: a visitor browses a company's categories and active plans without an
 * account. Answers are the same for everyone, so they carry an ETag and may be cached briefly.
 */
import etag from 'etag';
import type Joi from 'joi';
import type { Middleware } from 'koa';
import { Category } from '../../models';
import { catalogTenant } from '../../domain/catalog/public-catalog';
import type { Config } from '../../config';
import { categorySchema, listCategoriesQuery } from './categories/schemas';
import { rateLimit } from '../http/middleware/rate-limit';
import { pageSchema, paginate } from '../lists/pagination';
import { listPlans } from './plans/query';
import { planSchema } from './plans/schemas';
import { route, RouteContext, RouteSpec, tagged, type DeclaredRoute } from '../http/route';
import { catalogParams, publicPlansQuery } from './schemas';

/** Long enough to absorb a burst of visitors, short enough that a price change shows soon. */
const CACHE_CONTROL = 'public, max-age=60';

/** Sends `body` with an ETag of its JSON, or 304 with no body when the client already has it. */
function sendCacheable(ctx: RouteContext, body: unknown): void {
  const json = JSON.stringify(body);
  ctx.status = 200;
  ctx.set('Cache-Control', CACHE_CONTROL);
  ctx.etag = etag(json, { weak: true });
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.type = 'application/json';
  ctx.body = json;
}

/** A public list of a company's catalog: no token, counted per client, answered with an ETag. */
function publicListRoute<Q extends object>(
  limit: Middleware,
  list: { path: string; summary: string; query: Joi.ObjectSchema<Q>; schema: Joi.Schema },
  find: (query: Q, tenantId: string) => Promise<unknown>,
): DeclaredRoute {
  return route({
    method: 'get',
    path: `/catalog/:tenantSlug/${list.path}`,
    summary: list.summary,
    auth: 'public',
    before: [limit],
    params: catalogParams,
    query: list.query,
    response: { status: 200, schema: pageSchema(list.schema) },
    handler: async (ctx) => {
      const tenant = await catalogTenant(ctx.state.input.params.tenantSlug);
      sendCacheable(ctx, await find(ctx.state.input.query, tenant.id));
    },
  });
}

export function catalogRoutes(config: Config): RouteSpec[] {
  const catalogLimit = rateLimit({ name: 'catalog', points: config.rateLimit.catalogPerMinute, durationSeconds: 60 });
  return tagged('public catalog', [
    publicListRoute(
      catalogLimit,
      {
        path: 'categories',
        summary: "Public: a company's property categories (no token; ETag, 304 on If-None-Match)",
        query: listCategoriesQuery,
        schema: categorySchema,
      },
      (query, tenantId) => paginate(Category, query, { tenantId }),
    ),
    publicListRoute(
      catalogLimit,
      {
        path: 'plans',
        summary: "Public: a company's active plans with the filters, ordering and paging of /plans (no token; ETag, 304 on If-None-Match)",
        query: publicPlansQuery,
        schema: planSchema,
      },
      (query, tenantId) => listPlans(query, { tenantId, isActive: true }),
    ),
  ]);
}
