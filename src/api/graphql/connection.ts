/**
 * Relay-style connections over keyset pages: ordered by one attribute then `id` (newest first by
 * createdAt unless a list names another order), an opaque cursor naming the order and the last row
 * seen, `first` capped, and `totalCount` counted only when asked for (a statement: it costs STATEMENT_COST),
 * up to the cap REST's totals have (src/api/lists/capped-count.ts).
 */
import { DataTypes, Op, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import Joi from 'joi';
import { isoDate } from '../../shared/typed-schema';
import { badRequest } from '../../shared/errors';
import type { InputFieldMap, InputShapeFromFields, ObjectRef, QueryFieldBuilder } from '@pothos/core';
import type { AuthUser } from '../../shared/caller';
import type { Verb } from '../../access/verbs';
import { builder, type BuilderTypes } from './builder';
import { costOf, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PAGED_BY_FIRST, STATEMENT_COST } from './bounds';
import { callerOf, type GraphQLContext } from './context';
import { cappedCount, LIST_TOTAL_CAP, type Total } from '../lists/capped-count';
import { groupedBy } from '../../shared/grouping';

type Keyed = Model & { id: string };

/** The order of a page: one attribute, then `id` in the same direction to break ties. */
export interface PageOrder {
  attribute: string;
  descending: boolean;
  /** What a cursor's value of `attribute` must be, checked before it reaches a statement. */
  value: Joi.Schema;
}

export const NEWEST_FIRST: PageOrder = { attribute: 'createdAt', descending: true, value: isoDate() };

/** The order a REST list's `ordering` names (`premium`, `-premium`), with the cursor value each attribute takes. */
export function orderingOf(ordering: string, values: Record<string, Joi.Schema>): PageOrder {
  const descending = ordering.startsWith('-');
  const attribute = descending ? ordering.slice(1) : ordering;
  return { attribute, descending, value: values[attribute] };
}

export interface Connection<T> {
  nodes: T[];
  order: PageOrder;
  hasNextPage: boolean;
  /** Counted once, when `totalCount` or `totalCountIsExact` is first asked for. */
  total: () => Promise<Total>;
}

/**
 * Anything longer is not one of ours: the longest is a tenant's or registration's company name
 * (200 characters, up to 4 bytes each in UTF-8) with its id, about 1,150 characters in base64url.
 */
const MAX_CURSOR_LENGTH = 1536;

export function cursorOf(row: Keyed, order: PageOrder): string {
  // A Date becomes its ISO string, a decimal stays the string the model holds.
  const value = row.get(order.attribute);
  return Buffer.from(JSON.stringify([order.attribute, value, row.id])).toString('base64url');
}

/** PostgreSQL's largest BIGINT: a cursor's id past it is no row's, and the statement comparing with it would fail. */
const MAX_BIGINT = 2n ** 63n - 1n;

/** A cursor's id as the model's key holds it: a UUID, or the digits of a BIGINT (audit events). */
function idSchemaOf(model: ModelStatic<Model>): Joi.Schema {
  return model.getAttributes().id.type instanceof DataTypes.BIGINT
    ? Joi.string()
        .pattern(/^\d{1,19}$/)
        .custom((id: string, helpers) => (BigInt(id) <= MAX_BIGINT ? id : helpers.error('any.invalid')))
    : Joi.string().guid();
}

/** Where a cursor points in `order`: its row's value of the attribute and its id; a cursor of another order (or a forged one) is refused. */
function positionOf(cursor: string, order: PageOrder, idSchema: Joi.Schema): { last: unknown; id: string } {
  let decoded: unknown;
  try {
    if (cursor.length > MAX_CURSOR_LENGTH) throw new Error('too long');
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const cursorSchema = Joi.array()
    .ordered(Joi.string().valid(order.attribute).required(), order.value.required(), idSchema.required())
    .length(3);
  const { value, error } = cursorSchema.validate(decoded, { convert: true });
  if (decoded === undefined || error)
    throw badRequest('`after` is not a cursor this API gave', [{ field: 'after', message: 'invalid cursor' }]);
  const [, last, id] = value as [string, unknown, string];
  return { last, id };
}

/** The rows after the cursor's. */
function afterCursor(cursor: string, order: PageOrder, idSchema: Joi.Schema): WhereOptions {
  const { last, id } = positionOf(cursor, order, idSchema);
  const beyond = order.descending ? Op.lt : Op.gt;
  return { [Op.or]: [{ [order.attribute]: { [beyond]: last } }, { [order.attribute]: last, id: { [beyond]: id } }] };
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** The rows a page holds: `first`, 20 unless given, refused outside 1-100. */
function pageSizeOf(args: PageArgs): number {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first < 1 || first > MAX_PAGE_SIZE) {
    throw badRequest(`first must be between 1 and ${MAX_PAGE_SIZE}`, [{ field: 'first', message: `at most ${MAX_PAGE_SIZE}` }]);
  }
  return first;
}

/**
 * One page of `model`'s rows matching `where` (which carries the access policy's scope), in
 * `order`; its total counted up to `totalCap`.
 */
export async function connectionOf<M extends Keyed>(
  model: ModelStatic<M>,
  where: WhereOptions,
  args: PageArgs,
  order: PageOrder = NEWEST_FIRST,
  totalCap: number = LIST_TOTAL_CAP,
): Promise<Connection<M>> {
  const first = pageSizeOf(args);
  const pageWhere = args.after ? { [Op.and]: [where, afterCursor(args.after, order, idSchemaOf(model))] } : where;
  const direction = order.descending ? 'DESC' : 'ASC';
  const rows = await model.findAll({
    where: pageWhere,
    order: [
      [order.attribute, direction],
      ['id', direction],
    ],
    limit: first + 1,
  });
  let counted: Promise<Total> | undefined;
  const total = () => (counted ??= cappedCount(model, where, undefined, totalCap));
  return { nodes: rows.slice(0, first), order, hasNextPage: rows.length > first, total };
}

/** A row hanging on a parent within its tenant (a subscription's changes hang on the subscription). */
interface TenantParent {
  id: string;
  tenantId: string;
}

/**
 * The same page (`args`) of each parent's rows in one statement, whatever the number of parents (a
 * list of subscriptions, each read with its changes): the rows whose `parentKey` names the parent,
 * within the parents' tenants, ranked per parent in `order` after the cursor and cut at the page
 * size. Each page's total is counted for its parent alone, when asked for.
 */
export async function pagesOfEach<M extends Keyed>(
  model: ModelStatic<M>,
  parentKey: string,
  parents: readonly TenantParent[],
  args: PageArgs,
  order: PageOrder,
): Promise<Connection<M>[]> {
  const first = pageSizeOf(args);
  const column = (attribute: string) => `"${model.getAttributes()[attribute].field ?? attribute}"`;
  const direction = order.descending ? 'DESC' : 'ASC';
  const sortedBy = `${column(parentKey)}, ${column(order.attribute)} ${direction}, ${column('id')} ${direction}`;
  const replacements: Record<string, unknown> = {
    parents: parents.map((parent) => parent.id),
    tenants: [...new Set(parents.map((parent) => parent.tenantId))],
    limit: first + 1,
  };
  let keyset = '';
  if (args.after) {
    const { last, id } = positionOf(args.after, order, idSchemaOf(model));
    const beyond = order.descending ? '<' : '>';
    keyset = `AND (${column(order.attribute)} ${beyond} :last OR (${column(order.attribute)} = :last AND ${column('id')} ${beyond} :id))`;
    Object.assign(replacements, { last, id });
  }
  const rows = await model.sequelize!.query(
    `SELECT * FROM (
       SELECT *, row_number() OVER (PARTITION BY ${column(parentKey)} ORDER BY ${column(order.attribute)} ${direction}, ${column('id')} ${direction}) AS page_rank
       FROM "${model.tableName}" WHERE ${column('tenantId')} IN (:tenants) AND ${column(parentKey)} IN (:parents) ${keyset}
     ) ranked WHERE page_rank <= :limit ORDER BY ${sortedBy}`,
    { model, mapToModel: true, replacements },
  );
  const perParent = groupedBy(
    parents.map((parent) => parent.id),
    rows,
    (row) => row.get(parentKey) as string,
  );
  return perParent.map((parentRows, index) => {
    const where = { tenantId: parents[index].tenantId, [parentKey]: parents[index].id };
    let counted: Promise<Total> | undefined;
    const total = () => (counted ??= cappedCount(model, where, undefined));
    return { nodes: parentRows.slice(0, first), order, hasNextPage: parentRows.length > first, total };
  });
}

/** The arguments of a page, `first` and `after`, before a field's own. */
const pageArgs = () => builder.args((t) => ({ first: t.int(), after: t.string() }));

type Paged<A> = { extensions: typeof PAGED_BY_FIRST; args: ReturnType<typeof pageArgs> & A };

/** The `extensions` and `args` of a field answering a page: its cost by `first`, then `first`, `after` and its own `args`. */
export function paged(): Paged<Record<never, never>>;
export function paged<A extends InputFieldMap>(args: A): Paged<A>;
export function paged(args: InputFieldMap = {}): Paged<InputFieldMap> {
  return { extensions: PAGED_BY_FIRST, args: { ...pageArgs(), ...args } };
}

/** The rows a list field answers: those `where` allows (the access policy's scope and the filters), in `order`. */
export interface ListedRows {
  where: WhereOptions;
  order?: PageOrder;
}

/**
 * The `extensions`, `args` and `resolve` of a query field that lists `model`'s rows as a
 * connection: the caller refused unless its verb lets them through (FORBIDDEN) before anything else, then `rows`
 * answers, from the caller and the field's own arguments (`args`, after the page's), what they see.
 */
function listField<M extends Keyed, A extends InputFieldMap>(
  model: ModelStatic<M>,
  list: { verb?: Verb; args: A; rows: (caller: AuthUser, filters: InputShapeFromFields<A>) => ListedRows },
) {
  return {
    ...paged(list.args),
    resolve: (_root: unknown, { first, after, ...filters }: PageArgs & InputShapeFromFields<A>, context: GraphQLContext) => {
      const caller = callerOf(context, list.verb);
      const { where, order } = list.rows(caller, filters as InputShapeFromFields<A>);
      return connectionOf(model, where, { first, after }, order);
    },
  };
}

/** What a list query says of itself: the page's arguments, its types and its resolver are listQuery's. */
export interface ListQuery<A extends InputFieldMap> {
  description: string;
  /** Who it answers (anyone else is refused); every caller when absent. */
  verb?: Verb;
  /** Its own arguments, after the page's `first` and `after`. */
  args: (t: QueryFieldBuilder<BuilderTypes, BuilderTypes['Root']>) => A;
  /** The rows the caller sees, from the caller and its own arguments. */
  rows: (caller: AuthUser, filters: InputShapeFromFields<A>) => ListedRows;
}

/**
 * Declares the query field `name` listing `model`'s rows as a connection of `node` (listField),
 * with the connection's types (connectionType, named after `node`). Answers the connection type,
 * for another field paging the same rows.
 */
export function listQuery<M extends Keyed, A extends InputFieldMap>(
  name: string,
  node: ObjectRef<BuilderTypes, M>,
  model: ModelStatic<M>,
  list: ListQuery<A>,
) {
  const connection = connectionType(node.name, node);
  builder.queryField(name, (t) => {
    // Typed for any arguments here: the caller's `rows` was checked against its own `args` above.
    const field = listField<M, InputFieldMap>(model, {
      verb: list.verb,
      args: list.args(t),
      rows: list.rows as ListQuery<InputFieldMap>['rows'],
    });
    return t.field({ type: connection, description: list.description, ...field });
  });
  return connection;
}

const PageInfo = builder.objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

/** A page's rows: what `edges` and `nodes` select costs once per row of the page asked for. */
const PER_ROW = costOf({ perRow: true });

/** The connection and edge types of a node type. */
export function connectionType<T extends Keyed>(name: string, node: ObjectRef<BuilderTypes, T>) {
  const edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.expose('node', { type: node }),
    }),
  });
  return builder.objectRef<Connection<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({
        type: [edge],
        extensions: PER_ROW,
        resolve: (page) => page.nodes.map((row) => ({ cursor: cursorOf(row, page.order), node: row })),
      }),
      nodes: t.field({ type: [node], extensions: PER_ROW, resolve: (page) => page.nodes }),
      pageInfo: t.field({
        type: PageInfo,
        resolve: (page) => ({
          hasNextPage: page.hasNextPage,
          endCursor: page.nodes.length ? cursorOf(page.nodes[page.nodes.length - 1], page.order) : null,
        }),
      }),
      totalCount: t.int({
        description: `The matching rows, counted up to ${LIST_TOTAL_CAP.toLocaleString('en')}: past that, the cap`,
        extensions: costOf({ own: STATEMENT_COST }),
        resolve: async (page) => (await page.total()).total,
      }),
      totalCountIsExact: t.boolean({
        description: 'False when more rows match than `totalCount` says',
        extensions: costOf({ own: STATEMENT_COST }),
        resolve: async (page) => (await page.total()).exact,
      }),
    }),
  });
}
