import { Category } from '../../../models';
import { createCategory, deleteCategory, updateCategory } from '../../../domain/catalog/commands';
import { categoryAccess } from '../../../access/catalog';
import { findVisible } from '../../../access/core';
import { commandDeps } from '../../http/command-deps';
import { idParams } from '../../http/common-schemas';
import { pageSchema, paginate } from '../../lists/pagination';
import { route, RouteSpec } from '../../http/route';
import { categorySchema, createCategoryBody, listCategoriesQuery, updateCategoryBody } from './schemas';

export function categoryRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/categories',
      summary: "List the tenant's property categories",
      tag: 'catalog',
      query: listCategoriesQuery,
      response: { status: 200, schema: pageSchema(categorySchema) },
      handler: async (ctx) => {
        ctx.body = await paginate(Category, ctx.state.input.query, categoryAccess.scope(ctx.state.user));
      },
    }),
    route({
      method: 'post',
      path: '/categories',
      summary: 'Create a property category',
      tag: 'catalog',
      roles: ['tenant_admin'],
      body: createCategoryBody,
      response: { status: 201, schema: categorySchema },
      handler: async (ctx) => {
        ctx.status = 201;
        ctx.body = await createCategory(ctx.state.user, ctx.state.input.body, commandDeps(ctx));
      },
    }),
    route({
      method: 'get',
      path: '/categories/:id',
      summary: 'One property category',
      tag: 'catalog',
      params: idParams,
      response: { status: 200, schema: categorySchema },
      handler: async (ctx) => {
        ctx.body = await findVisible(ctx.state.user, categoryAccess, ctx.state.input.params.id);
      },
    }),
    route({
      method: 'put',
      path: '/categories/:id',
      summary: 'Change the given fields of a property category',
      tag: 'catalog',
      roles: ['tenant_admin'],
      params: idParams,
      body: updateCategoryBody,
      response: { status: 200, schema: categorySchema },
      handler: async (ctx) => {
        ctx.body = await updateCategory(ctx.state.user, { id: ctx.state.input.params.id, fields: ctx.state.input.body }, commandDeps(ctx));
      },
    }),
    route({
      method: 'delete',
      path: '/categories/:id',
      summary: 'Soft-delete a property category that no live plan uses',
      tag: 'catalog',
      roles: ['tenant_admin'],
      params: idParams,
      response: { status: 204 },
      handler: async (ctx) => {
        await deleteCategory(ctx.state.user, ctx.state.input.params, commandDeps(ctx));
        ctx.status = 204;
      },
    }),
  ];
}
