/**
 * Relay-style connections over keyset pages: newest first by (createdAt, id), an opaque cursor
 * naming the last row seen, `first` capped, and `totalCount` counted only when asked for.
 */
import { Op, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import Joi from 'joi';
import { badRequest } from '../../shared/errors';
import type { ObjectRef } from '@pothos/core';
import { builder, type BuilderTypes } from './builder';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './bounds';

interface Keyed {
  id: string;
  createdAt: Date;
}

export interface Connection<T> {
  nodes: T[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

const cursorSchema = Joi.array().ordered(Joi.date().iso().required(), Joi.string().guid().required()).length(2);
/** A cursor is short; anything longer is not one of ours. */
const MAX_CURSOR_LENGTH = 200;

export function cursorOf(row: Keyed): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

function afterCursor(cursor: string): WhereOptions {
  let decoded: unknown;
  try {
    if (cursor.length > MAX_CURSOR_LENGTH) throw new Error('too long');
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const { value, error } = cursorSchema.validate(decoded, { convert: true });
  if (decoded === undefined || error)
    throw badRequest('`after` is not a cursor this API gave', [{ field: 'after', message: 'invalid cursor' }]);
  const [createdAt, id] = value as [Date, string];
  return { [Op.or]: [{ createdAt: { [Op.lt]: createdAt } }, { createdAt, id: { [Op.lt]: id } }] };
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** One page of `model`'s rows matching `where` (which carries the access policy's scope). */
export async function connectionOf<M extends Model & Keyed>(
  model: ModelStatic<M>,
  where: WhereOptions,
  args: PageArgs,
): Promise<Connection<M>> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first < 1 || first > MAX_PAGE_SIZE) {
    throw badRequest(`first must be between 1 and ${MAX_PAGE_SIZE}`, [{ field: 'first', message: `at most ${MAX_PAGE_SIZE}` }]);
  }
  const pageWhere = args.after ? { [Op.and]: [where, afterCursor(args.after)] } : where;
  const rows = await model.findAll({
    where: pageWhere,
    order: [
      ['createdAt', 'DESC'],
      ['id', 'DESC'],
    ],
    limit: first + 1,
  });
  return { nodes: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => model.count({ where }) };
}

const PageInfo = builder.objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

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
      edges: t.field({ type: [edge], resolve: (page) => page.nodes.map((row) => ({ cursor: cursorOf(row), node: row })) }),
      nodes: t.field({ type: [node], resolve: (page) => page.nodes }),
      pageInfo: t.field({
        type: PageInfo,
        resolve: (page) => ({
          hasNextPage: page.hasNextPage,
          endCursor: page.nodes.length ? cursorOf(page.nodes[page.nodes.length - 1]) : null,
        }),
      }),
      totalCount: t.int({ resolve: (page) => page.totalCount() }),
    }),
  });
}
