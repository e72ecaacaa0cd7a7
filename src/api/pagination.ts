/** Pagination and ordering shared by every list (docs/architecture.md, API conventions). */
import Joi from 'joi';
import type { FindOptions, Model, ModelStatic, Order, WhereOptions } from 'sequelize';
import { oneOf, withDefault } from '../shared/typed-schema';

export const MAX_PAGE_SIZE = 100;

export interface PageQuery {
  page: number;
  pageSize: number;
  ordering?: string;
}

/** A page beyond this is refused rather than turned into a huge OFFSET. */
export const MAX_PAGE = 100_000;

/**
 * A whole number written as digits only: Joi would also convert `2.0` or `1e3`, which the
 * document's `integer` does not allow.
 */
const wholeNumber = () =>
  Joi.number()
    .integer()
    .custom((value: number, helpers) => (/^\d+$/.test(String(helpers.original)) ? value : helpers.error('number.integer')));

export const pageQueryKeys = {
  page: withDefault(wholeNumber().min(1).max(MAX_PAGE), 1),
  pageSize: withDefault(wholeNumber().min(1).max(MAX_PAGE_SIZE), 20),
};

/** `ordering=field` or `ordering=-field`, for the listed fields only. */
export function orderingParam<F extends string>(fields: readonly F[], fallback: F | `-${F}`) {
  return withDefault(oneOf(fields.flatMap((f) => [f, `-${f}` as const])), fallback);
}

export function orderFrom(ordering: string): Order {
  const descending = ordering.startsWith('-');
  return [[descending ? ordering.slice(1) : ordering, descending ? 'DESC' : 'ASC'], ['id', 'ASC']];
}

export interface Page<T> {
  items: T[];
  pagination: { page: number; pageSize: number; total: number; totalPages: number };
}

export async function paginate<M extends Model>(
  model: ModelStatic<M>,
  query: PageQuery,
  where: WhereOptions,
  options: Omit<FindOptions, 'where' | 'limit' | 'offset' | 'order'> = {},
): Promise<Page<M>> {
  const { rows, count } = await model.findAndCountAll({
    ...options,
    where,
    order: orderFrom(query.ordering ?? 'createdAt'),
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
    // Joined rows would count a parent once per child; without joins a plain count is cheaper.
    distinct: Boolean(options.include),
  });
  return {
    items: rows,
    pagination: { page: query.page, pageSize: query.pageSize, total: count, totalPages: Math.ceil(count / query.pageSize) },
  };
}

export function pageSchema(item: Joi.Schema): Joi.ObjectSchema {
  return Joi.object({
    items: Joi.array().items(item),
    pagination: Joi.object({ page: Joi.number(), pageSize: Joi.number(), total: Joi.number(), totalPages: Joi.number() }),
  });
}
