/**
 * The reads most resources declare alike, each built here once: a page of the rows the caller may
 * see (`listRoute`), one of them by its `:id` (`findRoute`), a page of what hangs on one (`childListRoute`),
 * a file made of one (`downloadRoute`) and any other JSON answer a read looks up its own way (`readRoute`).
 * A read that answers otherwise (a CSV beside JSON, headers of its own) is declared with `route()` itself;
 * a write is an operation (`operationRoute`, src/api/http/operation.ts).
 */
import type { Readable } from 'node:stream';
import type Joi from 'joi';
import type { Model, ModelStatic } from 'sequelize';
import { type AccessRule, findVisible, narrowed } from '../../access/core';
import { pageSchema, paginate, type PageQuery } from '../lists/pagination';
import { idParams } from './common-schemas';
import { route, type AuthUser, type NoInput, type RouteContext, type RouteDeclaration, type RouteInput, type DeclaredRoute } from './route';

/** Where a route is and who may call it (its verb), as `route()` takes them. */
export type Placement = Pick<RouteDeclaration, 'path' | 'summary' | 'tag' | 'verb'>;

/**
 * GET a page of the rows `access` lets the caller see; `query` takes the page, its size and the
 * ordering, and any `filters`: query fields a row's field of the same name must equal where given,
 * within what the caller may see (a filter on a column the scope restricts cannot widen it). It
 * answers the rows themselves, or what `present` makes of the page's rows (with what hangs on them,
 * looked up for the whole page at once).
 */
export function listRoute<M extends Model, Q extends PageQuery>(
  spec: Placement & {
    model: ModelStatic<M>;
    access: AccessRule<M, string>;
    query: Joi.ObjectSchema<Q>;
    schema: Joi.Schema;
    filters?: (keyof Q & string)[];
    present?: (rows: M[], ctx: RouteContext) => Promise<unknown[]>;
  },
): DeclaredRoute {
  const { model, access, query, schema, filters = [], present, ...placement } = spec;
  return route({
    method: 'get',
    ...placement,
    query,
    response: { status: 200, schema: pageSchema(schema) },
    handler: async (ctx) => {
      const input = ctx.state.input.query;
      const given = Object.fromEntries(filters.filter((name) => input[name] !== undefined).map((name) => [name, input[name]]));
      const page = await paginate(model, input, narrowed(access.scope(ctx.state.user), given));
      ctx.body = present ? { ...page, items: await present(page.items, ctx) } : page;
    },
  });
}

/**
 * GET the row with the path's `:id` among those `access` lets the caller see; 404 otherwise. It
 * answers the row itself, or what `view` makes of it (the row with what hangs on it).
 */
export function findRoute<M extends Model>(
  spec: Placement & { access: AccessRule<M, string>; schema: Joi.Schema; view?: (row: M, ctx: RouteContext) => unknown },
): DeclaredRoute {
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
): DeclaredRoute {
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

/** A file to download: its name and bytes; for a document the store keeps, what its row says of them. */
export interface DownloadFile {
  fileName: string;
  body: Readable | Buffer | string;
  /** A stored document's media type (the route's may name several), digest (its ETag) and length (its bytes stream from the store). */
  stored?: { contentType: string; sha256: string; sizeBytes: number };
}

/**
 * The name a client that reads only `filename` gets: printable ASCII, every other character `_`.
 * A name that differs from it (a person's "Müller.pdf", "東京.pdf") is also sent whole as `filename*`
 * in UTF-8 (RFC 6266), which browsers prefer; the header's quoting escapes `"` and `\` in both.
 */
const asciiFallback = (fileName: string): string => fileName.replace(/[^\x20-\x7e]/g, '_');

/**
 * GET a file made of the row with the path's `:id` (a version's evidence package, an offboarded
 * tenant's export, a payment batch's bank file, a stored document) as a download named `fileName`, of
 * `contentType` (or, for a stored document of one of several types, of the type its row says).
 * `file` finds the row among those the caller may see and refuses as it decides (404, 409); it opens
 * a stored document's bytes before any header is set, so a store that fails answers with the JSON
 * error body. `params` takes more of the path than `:id` (a policy's document). What it holds is one
 * tenant's (names, e-mail addresses, account numbers, claim evidence): no cache may keep it.
 */
export function downloadRoute<P extends { id: string } = { id: string }>(
  spec: Placement & {
    contentType: string | readonly string[];
    params?: Joi.ObjectSchema<P>;
    /** `no-store` already keeps every cache from storing it; the stored documents answer just that, the rest say `private` too. */
    cacheControl?: 'private, no-store' | 'no-store';
    file: (caller: AuthUser, id: string, ctx: RouteContext<RouteInput<P>>) => Promise<DownloadFile>;
  },
): DeclaredRoute {
  const { contentType, params, cacheControl = 'private, no-store', file, ...placement } = spec;
  const types = typeof contentType === 'string' ? [contentType] : contentType;
  return route<P>({
    method: 'get',
    ...placement,
    // Without `params` the path holds nothing but `:id`, and P is its default.
    params: params ?? (idParams as Joi.ObjectSchema<P>),
    // The document names the media types without their parameters (a charset).
    response: { status: 200, description: types.map((type) => type.split(';')[0]).join(', ') },
    handler: async (ctx) => {
      const { fileName, body, stored } = await file(ctx.state.user, ctx.state.input.params.id, ctx);
      ctx.status = 200;
      ctx.type = stored?.contentType ?? types[0];
      ctx.attachment(fileName, { fallback: asciiFallback(fileName) });
      if (stored) ctx.set('ETag', `"${stored.sha256}"`);
      ctx.set('Cache-Control', cacheControl);
      ctx.body = body;
      if (stored) ctx.length = stored.sizeBytes;
    },
  });
}

/**
 * GET answered 200 with what `read` returns: a read that looks its answer up its own way (the tenant's
 * settings, a trial balance, a page put together from several tables), with the path's `params` and the
 * `query` it takes, if any. `read` only looks up: a read that sets a cookie, a header or its own status is
 * declared with `route()`.
 */
export function readRoute<P extends object = NoInput, Q extends object = NoInput>(
  spec: Placement &
    Pick<RouteDeclaration<P, Q>, 'params' | 'query' | 'auth' | 'before'> & {
      schema: Joi.Schema;
      read: (ctx: RouteContext<RouteInput<P, Q>>) => unknown;
    },
): DeclaredRoute {
  const { schema, read, ...declaration } = spec;
  return route<P, Q>({
    method: 'get',
    ...declaration,
    response: { status: 200, schema },
    handler: async (ctx) => {
      ctx.body = await read(ctx);
    },
  });
}
