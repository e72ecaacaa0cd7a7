import { Category, Plan } from '../../../models';
import { categoryPolicy } from '../../../policies/catalog';
import { findVisible, tenantOf } from '../../../policies/core';
import { idParams } from '../../http/common-schemas';
import { conflict } from '../../http/errors';
import { pageSchema, paginate } from '../../lists/pagination';
import { route, RouteSpec } from '../../http/route';
import { categorySchema, createCategoryBody, listCategoriesQuery, updateCategoryBody } from './schemas';
import { audited } from '../../http/audit-source';

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
        ctx.body = await paginate(Category, ctx.state.input.query, categoryPolicy.scope(ctx.state.user));
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
        const tenantId = tenantOf(ctx.state.user);
        ctx.status = 201;
        ctx.body = await audited(
          ctx,
          (transaction) => Category.create({ ...ctx.state.input.body, tenantId }, { transaction }),
          (category) => ({ tenantId, action: 'category.create', entityType: 'category', entityId: category.id, after: category }),
        );
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
        ctx.body = await findVisible(ctx.state.user, categoryPolicy, ctx.state.input.params.id);
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
        const category = await findVisible(ctx.state.user, categoryPolicy, ctx.state.input.params.id);
        const before = category.toJSON();
        ctx.body = await audited(
          ctx,
          (transaction) => category.update(ctx.state.input.body, { transaction }),
          (after) => ({ tenantId: category.tenantId, action: 'category.update', entityType: 'category', entityId: category.id, before, after }),
        );
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
        const category = await findVisible(ctx.state.user, categoryPolicy, ctx.state.input.params.id);
        const plans = await Plan.count({ where: { categoryId: category.id } });
        if (plans > 0) throw conflict('Delete or move the plans of this category first', [{ field: 'id', message: `${plans} live plan(s) use it`, plans }]);
        await audited(
          ctx,
          (transaction) => category.destroy({ transaction }),
          () => ({ tenantId: category.tenantId, action: 'category.delete', entityType: 'category', entityId: category.id, before: { deletedAt: null }, after: { deletedAt: category.deletedAt } }),
        );
        ctx.status = 204;
      },
    }),
  ];
}
