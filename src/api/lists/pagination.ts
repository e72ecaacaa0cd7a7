/** Pagination and ordering shared by every list (docs/architecture.md, API conventions). */
import Joi from 'joi';
import { col, fn, type Attributes, type FindOptions, type Model, type ModelStatic, type Order, type WhereOptions } from 'sequelize';
import { narrowed } from '../../access/core';
import { oneOf, withDefault } from '../../shared/typed-schema';
import { cappedCount, cappedCountOfAny, LIST_TOTAL_CAP, SEARCH_TOTAL_CAP, type Total } from './capped-count';
import { instanceOf } from '../../models/prepared-statement';
import { extrasOf, pageWithTotal, plainRows, type KeptCount, type RowExtras } from './page-statement';
import type { TextSearch } from './search';
import { walkedPage } from './search-walk';

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

/**
 * The order of `ordering`, then of `tieBreak` in the same direction (rows the ordering leaves equal
 * in the order they have a meaning in: a policy's invoices due the same day by term and instalment),
 * then of the id, so a page never answers equal rows in either order.
 */
export function orderFrom(ordering: string, tieBreak: readonly string[] = []): [string, 'ASC' | 'DESC'][] {
  const descending = ordering.startsWith('-');
  const direction = descending ? 'DESC' : 'ASC';
  return [
    [descending ? ordering.slice(1) : ordering, direction],
    ...tieBreak.map((attribute): [string, 'ASC' | 'DESC'] => [attribute, direction]),
    ['id', 'ASC'],
  ];
}

export interface Pagination {
  page: number;
  pageSize: number;
  /** The matching rows, counted up to LIST_TOTAL_CAP, a search's up to SEARCH_TOTAL_CAP (src/api/lists/capped-count.ts). */
  total: number;
  /** False when more rows match than the cap: `total` is then the cap. */
  totalIsExact: boolean;
  /** A next page has rows. */
  hasMore: boolean;
  /** Pages of the (capped) total. */
  totalPages: number;
}

export interface Page<T> {
  items: T[];
  pagination: Pagination;
}

/** How a list is read beside its filters. */
interface ReadOptions {
  /** The list's `?q=` search (`textSearch`), added to its filters: see `searchPage` and `cappedCountOfAny`. */
  search?: TextSearch;
  /** The most rows its total counts exactly; LIST_TOTAL_CAP, or SEARCH_TOTAL_CAP for a search, unless a caller needs less. */
  totalCap?: number;
  /** Attributes that order the rows its ordering leaves equal, before the id (`orderFrom`). */
  tieBreak?: readonly string[];
}

type ListOptions = Omit<FindOptions, 'where' | 'limit' | 'offset' | 'order' | 'raw'> & ReadOptions;

/**
 * The order of a search: by expressions no index provides, so PostgreSQL collects the matches
 * through the search indexes and sorts only them. Ordered by the columns themselves, it may walk
 * the tenant's ordered index instead and filter row after row until a page is full, the plan it
 * picks whenever it overestimates the matches; for a rare term that reads every row of the
 * tenant. `COALESCE(x, x)` sorts exactly as `x`.
 */
export function matchesFirst(model: ModelStatic<Model>, order: [string, 'ASC' | 'DESC'][]): Order {
  return order.map(([attribute, direction]) => {
    const column = col(`${model.name}.${model.getAttributes()[attribute].field ?? attribute}`);
    return [fn('COALESCE', column, column), direction];
  });
}

/** The page of `rows`, read one beyond the page size so that `hasMore` is known exactly (a list read by its own SQL builds its page here too). */
export function pageOf<Row>(query: PageQuery, rows: Row[], { total, exact }: Total): Page<Row> {
  const pagination = {
    page: query.page,
    pageSize: query.pageSize,
    total,
    totalIsExact: exact,
    hasMore: rows.length > query.pageSize,
    totalPages: Math.ceil(total / query.pageSize),
  };
  return { items: rows.slice(0, query.pageSize), pagination };
}

/**
 * The rows of a page and the row after it. A page beyond a capped total's last page still answers
 * its rows (MAX_PAGE bounds the OFFSET): `hasMore` says whether to read on.
 */
const pageRequest = (query: PageQuery, tieBreak?: readonly string[]) => ({
  order: orderFrom(query.ordering ?? 'createdAt', tieBreak),
  limit: query.pageSize + 1,
  offset: (query.page - 1) * query.pageSize,
});

/**
 * The capped total and the page of the rows matching `filters` (and the search, when there is
 * one), asked in parallel on two pooled connections: a request waits for the longer of the two
 * instead of both. (A single query with `count(*) OVER ()` would make PostgreSQL read and sort
 * every matching row instead of stopping at the page.)
 */
async function countAndPage<Row>(
  model: ModelStatic<Model>,
  query: PageQuery,
  filters: WhereOptions,
  options: ListOptions,
  raw: boolean,
): Promise<Page<Row>> {
  const { search, totalCap = search ? SEARCH_TOTAL_CAP : LIST_TOTAL_CAP, tieBreak, ...findOptions } = options;
  const request = pageRequest(query, tieBreak);
  const counting = search
    ? cappedCountOfAny(
        model,
        search.alternatives.map((alternative) => narrowed(filters, alternative)),
        options.include,
        totalCap,
      )
    : cappedCount(model, filters, options.include, totalCap);
  const reading = search
    ? searchPage(model, request, filters, search, findOptions, raw)
    : model.findAll({ ...findOptions, where: filters, ...request, raw });
  const [total, rows] = await Promise.all([counting, reading]);
  return pageOf(query, rows as Row[], total);
}

/**
 * A search's page: the walk of the list's ordered index when it fills the page
 * (src/api/lists/search-walk.ts), else every match sorted (`matchesFirst`). Both answer the same
 * rows in the same order.
 */
async function searchPage(
  model: ModelStatic<Model>,
  request: ReturnType<typeof pageRequest>,
  filters: WhereOptions,
  search: TextSearch,
  findOptions: FindOptions,
  raw: boolean,
): Promise<unknown[]> {
  const walked = Object.keys(findOptions).length === 0 ? await walkedPage(model, filters, search.walked, request) : null;
  if (walked) return raw ? walked : walked.map((row) => instanceOf(model, row));
  const { order, ...window } = request;
  return model.findAll({ ...findOptions, where: narrowed(filters, search.where), ...window, order: matchesFirst(model, order), raw });
}

export function paginate<M extends Model>(
  model: ModelStatic<M>,
  query: PageQuery,
  filters: WhereOptions,
  options: ListOptions = {},
): Promise<Page<M>> {
  return countAndPage<M>(model, query, filters, options, false);
}

/**
 * The same page as plain column values, with no model instance built per row: for hot lists whose
 * rows go to the client as they are (a model's getters and toJSON are not applied, so only for
 * models that have none). Simple filters go as one parameterised statement (src/api/lists/page-statement.ts);
 * anything else through Sequelize. Each row carries `extras` (RowExtras) beside its attributes:
 * computed in the page's statement, or else asked for the page's rows in a second. `keptCount`
 * counts the total of the filters it keeps a count of (`KeptCount`) in the page's statement.
 * `rowsAs` makes the page's items from its rows, copying only `columns` (its attributes and
 * extras): the page's own statement's rows are read as they came (`pageWithTotal`), so a list
 * that answers views of its rows builds each item once; without it the items are the plain rows.
 */
export async function paginatePlain<M extends Model, Extras extends object = object, Item = Attributes<M> & Extras>(
  model: ModelStatic<M>,
  query: PageQuery,
  filters: WhereOptions,
  options: ReadOptions & { extras?: RowExtras; keptCount?: KeptCount; rowsAs?: RowsAs<Attributes<M> & Extras, Item> } = {},
): Promise<Page<Item>> {
  const { extras = {}, keptCount, rowsAs, ...readOptions } = options;
  const direct = readOptions.search
    ? null
    : await pageWithTotal<M, Extras>(
        model,
        filters,
        pageRequest(query, readOptions.tieBreak),
        readOptions.totalCap ?? LIST_TOTAL_CAP,
        extras,
        keptCount,
      );
  if (direct) {
    const page = pageOf(query, direct.rows, direct.total);
    return { ...page, items: (rowsAs ?? plainRows)(page.items, direct.columns) as Item[] };
  }
  const read = await countAndPage<Attributes<M>>(model, query, filters, readOptions, true);
  const page = Object.keys(extras).length === 0 ? (read as Page<Attributes<M> & Extras>) : await withExtras<M, Extras>(model, read, extras);
  return rowsAs ? { ...page, items: rowsAs(page.items, Object.keys(page.items[0] ?? {})) } : (page as Page<Item>);
}

/** Makes a page's items from its rows, copying only `columns` of each (`paginatePlain`). */
export type RowsAs<Row, Item> = (rows: readonly Row[], columns: readonly string[]) => Item[];

/** A page read through Sequelize with `extras` asked for its rows in a second statement. */
async function withExtras<M extends Model, Extras extends object>(
  model: ModelStatic<M>,
  page: Page<Attributes<M>>,
  extras: RowExtras,
): Promise<Page<Attributes<M> & Extras>> {
  const rowExtras = await extrasOf<Extras>(
    model,
    page.items.map((row) => (row as { id: string }).id),
    extras,
  );
  return { ...page, items: page.items.map((row) => ({ ...row, ...rowExtras.get((row as { id: string }).id)! })) };
}

export function pageSchema(item: Joi.Schema): Joi.ObjectSchema {
  return Joi.object({
    items: Joi.array().items(item),
    pagination: Joi.object({
      page: Joi.number(),
      pageSize: Joi.number(),
      total: Joi.number().description(
        `The matching rows, counted up to ${LIST_TOTAL_CAP.toLocaleString('en')} (a \`q\` search: ${SEARCH_TOTAL_CAP.toLocaleString('en')}): past that, the cap`,
      ),
      totalIsExact: Joi.boolean().description('False when more rows match than `total` says'),
      hasMore: Joi.boolean().description('A next page has rows'),
      totalPages: Joi.number().description('Pages of `total`; a later page still answers its rows while `hasMore`'),
    }),
  });
}
