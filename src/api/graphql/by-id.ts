/** Query fields answering one row by its `id`, as REST's GET /<resource>/:id. */
import type DataLoader from 'dataloader';
import type { Role } from '../../shared/roles';
import { builder } from './builder';
import { visibleById, type GraphQLContext } from './context';
import type { Loaders } from './loaders';

/**
 * The `nullable`, `args` and `resolve` of a query field answering one row by its required `id`
 * argument through the request's loader `loaderOf` picks (`visibleById`), the caller refused
 * unless of `roles`.
 */
export function oneById<Row>(loaderOf: (loaders: Loaders) => DataLoader<string, Row | null>, roles?: readonly Role[]) {
  return {
    nullable: true as const,
    args: builder.args((t) => ({ id: t.id({ required: true }) })),
    resolve: (_root: unknown, { id }: { id: string }, context: GraphQLContext) =>
      visibleById(context, loaderOf(context.loaders), id, roles),
  };
}
