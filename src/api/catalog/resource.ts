/**
 * The routes of a catalog resource (categories, plans): every staff member lists and reads the
 * tenant's rows through its access rule, a tenant admin creates, changes and soft-deletes them
 * through its commands. Both resources are declared by `catalogResourceRoutes`, so they keep the
 * same paths, access verbs and answers.
 */
import type Joi from 'joi';
import type { Model, WhereOptions } from 'sequelize';
import type { AccessRule } from '../../access/core';
import type { Command } from '../../domain/command';
import { idParams } from '../http/common-schemas';
import { createRoute } from '../http/write-route';
import { deleteOperationRoute, operation, operationRoute } from '../http/operation';
import { RouteSpec, tagged } from '../http/route';
import { findRoute, readRoute } from '../http/row-route';
import { updateRun } from '../http/update-run';
import { pageSchema } from '../lists/pagination';

export interface CatalogResource<Row extends Model, Query extends object, Create extends object, Update extends object> {
  /** The collection's path, e.g. `/plans`. */
  path: string;
  summaries: { list: string; create: string; one: string; update: string; delete: string };
  schema: Joi.Schema;
  access: AccessRule<Row>;
  listQuery: Joi.ObjectSchema<Query>;
  list: (query: Query, scope: WhereOptions) => Promise<unknown>;
  createBody: Joi.ObjectSchema<Create>;
  create: Command<Create, Row>;
  updateBody: Joi.ObjectSchema<Update>;
  update: Command<{ id: string; fields: Update }, Row>;
  remove: Command<{ id: string }, void>;
}

export function catalogResourceRoutes<Row extends Model, Query extends object, Create extends object, Update extends object>(
  resource: CatalogResource<Row, Query, Create, Update>,
): RouteSpec[] {
  const { path, summaries, schema, access } = resource;
  /** The operations' names, `catalog.plans.create` for `/plans`. */
  const name = `catalog.${path.slice(1)}`;
  return tagged('catalog', [
    readRoute({
      path,
      summary: summaries.list,
      query: resource.listQuery,
      schema: pageSchema(schema),
      read: (ctx) => resource.list(ctx.state.input.query, access.scope(ctx.state.user)),
    }),
    createRoute(operation({ name: `${name}.create`, verb: 'createCatalogEntry', body: resource.createBody, run: resource.create }), {
      path,
      summary: summaries.create,
      schema,
    }),
    findRoute({ path: `${path}/:id`, summary: summaries.one, access, schema }),
    operationRoute(
      operation({
        name: `${name}.update`,
        verb: 'changeCatalogEntry',
        params: idParams,
        body: resource.updateBody,
        run: updateRun(resource.update),
      }),
      { method: 'put', path: `${path}/:id`, summary: summaries.update, response: { status: 200, schema } },
    ),
    deleteOperationRoute(operation({ name: `${name}.delete`, verb: 'deleteCatalogEntry', params: idParams, run: resource.remove }), {
      path: `${path}/:id`,
      summary: summaries.delete,
    }),
  ]);
}
