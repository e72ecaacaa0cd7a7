/** Query fields answering one row by its `id`, as REST's GET /<resource>/:id. */
import type DataLoader from 'dataloader';
import type { ObjectRef } from '@pothos/core';
import type { Verb } from '../../access/verbs';
import { builder, type BuilderTypes } from './builder';
import { visibleById } from './context';
import type { Loaders } from './loaders';

/** What a query field answering one row by its `id` says of itself. */
export interface ByIdQuery<Row> {
  description: string;
  /** The request's loader of the rows, under the access rules (`visibleById`). */
  loader: (loaders: Loaders) => DataLoader<string, Row | null>;
  /** Who it answers (anyone else is refused); every caller when absent. */
  verb?: Verb;
}

/**
 * Declares the query field `name` answering the row of `type` with its required `id` argument
 * through the request's loader; null when there is none the caller may see.
 */
export function byIdQuery<Row>(name: string, type: ObjectRef<BuilderTypes, Row>, query: ByIdQuery<Row>) {
  // Typed for a row of any shape here: the caller's `loader` was checked against its `type` above.
  const node = type as ObjectRef<BuilderTypes, unknown>;
  builder.queryField(name, (t) =>
    t.field({
      type: node,
      nullable: true,
      description: query.description,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, context) => visibleById<unknown>(context, query.loader(context.loaders), id, query.verb),
    }),
  );
}
