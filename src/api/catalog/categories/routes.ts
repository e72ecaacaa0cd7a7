import { Category } from '../../../models';
import { createCategory, deleteCategory, updateCategory } from '../../../domain/catalog/commands';
import { categoryAccess } from '../../../access/catalog';
import { paginate } from '../../lists/pagination';
import type { RouteSpec } from '../../http/route';
import { catalogResourceRoutes } from '../resource';
import { categorySchema, createCategoryBody, listCategoriesQuery, updateCategoryBody } from './schemas';

export function categoryRoutes(): RouteSpec[] {
  return catalogResourceRoutes({
    path: '/categories',
    summaries: {
      list: "List the tenant's property categories",
      create: 'Create a property category',
      one: 'One property category',
      update: 'Change the given fields of a property category',
      delete: 'Soft-delete a property category that no live plan uses',
    },
    schema: categorySchema,
    access: categoryAccess,
    listQuery: listCategoriesQuery,
    list: (query, scope) => paginate(Category, query, scope),
    createBody: createCategoryBody,
    create: createCategory,
    updateBody: updateCategoryBody,
    update: updateCategory,
    remove: deleteCategory,
  });
}
