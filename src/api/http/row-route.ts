/**
 * The reads most resources declare alike, each built here once: a page of the rows the caller may
 * see (`listRoute`), one of them by its `:id` (`findRoute`), a page of what hangs on one (`childListRoute`)
 * and a file made of one (`downloadRoute`). A read that does anything more is
 * declared with `route()` itself; a write is an operation (`operationRoute`, src/api/http/operation.ts).
 */
import type { Readable } from 'node:stream';
import type Joi from 'joi';
import type { Model, ModelStatic } from 'sequelize';
import { type AccessRule, findVisible, narrowed } from '../../access/core';
import { pageSchema, paginate, type PageQuery } from '../lists/pagination';
import { idParams } from './common-schemas';
import { route, type AuthUser, type RouteContext, type RouteDeclaration, type RouteSpec } from './route';

/** Where a route is and who may call it (its verb), as `route()` takes them. */
export type Placement = Pick<RouteDeclaration, 'path' | 'summary' | 'tag' | 'verb'>;

/**
 * GET a page of the rows `access` lets the caller see; `query` takes the page, its size and the
 * ordering, and any `filters`: query fields a row's field of the same name must equal where given,
 * within what the caller may see (a filter on a column the scope restricts cannot widen it).
 */
export function listRoute<M extends Model, Q extends PageQuery>(
  spec: Placement & {
    model: ModelStatic<M>;
    access: AccessRule<M, string>;
    query: Joi.ObjectSchema<Q>;
    schema: Joi.Schema;
    filters?: (keyof Q & string)[];
  },
): RouteSpec {
  const { model, access, query, schema, filters = [], ...placement } = spec;
  return route({
    method: 'get',
    ...placement,
    query,
    response: { status: 200, schema: pageSchema(schema) },
    handler: async (ctx) => {
      const input = ctx.state.input.query;
      const given = Object.fromEntries(filters.filter((name) => input[name] !== undefined).map((name) => [name, input[name]]));
      ctx.body = await paginate(model, input, narrowed(access.scope(ctx.state.user), given));
    },
  });
}

/**
 * GET the row with the path's `:id` among those `access` lets the caller see; 404 otherwise. It
 * answers the row itself, or what `view` makes of it (the row with what hangs on it).
 */
export function findRoute<M extends Model>(
  spec: Placement & { access: AccessRule<M, string>; schema: Joi.Schema; view?: (row: M, ctx: RouteContext) => unknown },
): RouteSpec {
  const { access, schema, view, ...placement } = spec;
  return route({
    method: 'get',
    ...placement,
    params: idParams,
    response: { status: 200, schema },
    handler: async (ctx) => {
      const row = await findVisible(ctx.state.user, access, ctx.state.input.params.id);
      ctx.body = view ? await view(row, ctx) : row;
    },
  });
}

/**
 * GET a page of what hangs on the row with the path's `:id` (a policy's claims, a policy's
 * versions): the row is looked up among those `access` lets the caller see first, so another
 * tenant's or another policyholder's is 404 like a missing one; `list` pages what hangs on it.
 */
export function childListRoute<M extends Model, Q extends object>(
  spec: Placement & {
    access: AccessRule<M, string>;
    query: Joi.ObjectSchema<Q>;
    schema: Joi.Schema;
    list: (row: M, query: Q, ctx: RouteContext) => Promise<unknown>;
  },
): RouteSpec {
  const { access, query, schema, list, ...placement } = spec;
  return route({
    method: 'get',
    ...placement,
    params: idParams,
    query,
    response: { status: 200, schema: pageSchema(schema) },
    handler: async (ctx) => {
      const row = await findVisible(ctx.state.user, access, ctx.state.input.params.id);
      ctx.body = await list(row, ctx.state.input.query, ctx);
    },
  });
}

/**
 * GET a file made of the row with the path's `:id` (a version's evidence package, an offboarded
 * tenant's export, a payment batch's bank file) as a download named `fileName`, of `contentType`.
 * `file` finds the row among those the caller may see and refuses as it decides (404, 409). What it
 * holds is one tenant's (names, e-mail addresses, account numbers, all of its data): no shared cache may keep it.
 */
export function downloadRoute(
  spec: Placement & {
    contentType: string;
    file: (caller: AuthUser, id: string, ctx: RouteContext) => Promise<{ fileName: string; body: Readable | string }>;
  },
): RouteSpec {
  const { contentType, file, ...placement } = spec;
  return route({
    method: 'get',
    ...placement,
    params: idParams,
    // The document names the media type without its parameters (a charset).
    response: { status: 200, description: contentType.split(';')[0] },
    handler: async (ctx) => {
      const { fileName, body } = await file(ctx.state.user, ctx.state.input.params.id, ctx);
      ctx.status = 200;
      ctx.type = contentType;
      ctx.attachment(fileName);
      ctx.set('Cache-Control', 'private, no-store');
      ctx.body = body;
    },
  });
}
