/**
 * A GraphQL mutation derived from an operation (src/api/http/operation.ts): the caller is refused
 * with the operation's verb, the arguments checked by its schemas (those named by its parameters'
 * schema as REST's path, the others as REST's body) and its command run through `runCommand`. The
 * field carries the operation in its extensions, so the parity check finds it.
 */
import type { ArgBuilder } from '@pothos/core';
import type DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { Model } from 'sequelize';
import { narrowed, type AccessRule } from '../../access/core';
import type { SignedInOperation } from '../http/operation';
import type { DeclaredOperation } from '../http/route';
import type { BuilderTypes } from './builder';
import { callerOf, runCommand, type GraphQLContext } from './context';
import { validInput } from './input';
import type { Loaders } from './loaders';
import Joi from 'joi';

/** The input of an operation without a body: nothing besides its parameters is accepted. */
const NO_BODY = Joi.object({});

interface MutationField<Row> {
  extensions: { operation: DeclaredOperation };
  resolve: (root: unknown, args: Record<string, unknown>, context: GraphQLContext, info: GraphQLResolveInfo) => Promise<Row>;
}

/** A row a repeated mutation wrote, as the caller sees it now (null when they may not). */
type Reload<Row> = (context: GraphQLContext, id: string) => Promise<Row | null>;

/** The row the request's loader `Name` answers by id. */
type LoadedBy<Name extends keyof Loaders> = Loaders[Name] extends DataLoader<string, infer Row | null> ? Row : never;

/** The reload of a row through the request's loader of it (`loader`, by name), which carries the access policy's scope. */
export function reloadThrough<Name extends keyof Loaders>(loader: Name): Reload<LoadedBy<Name>> {
  return (context, id) => (context.loaders[loader] as DataLoader<string, LoadedBy<Name> | null>).load(id);
}

/** The reload of a row among those `access` lets the caller see. */
export function reloadVisible<M extends Model>(access: AccessRule<M, string>): Reload<M> {
  return (context, id) => access.model.findOne({ where: narrowed(access.scope(callerOf(context)), { id }) });
}

export interface MutationOf<Result, Row extends { id: string }> {
  /** The row the mutation answers with, from the command's result. */
  row: (result: Result) => Row;
  reload: Reload<Row>;
}

/** The argument builder of a field (`t.arg`). */
type FieldArgBuilder = ArgBuilder<BuilderTypes>;

/**
 * A mutation's arguments: `args`, then the `idempotencyKey` every mutation takes (a repeat with it
 * answers the row the first attempt wrote, as REST's Idempotency-Key header).
 */
export function mutationArgs<Args extends object>(arg: FieldArgBuilder, args: Args) {
  return { ...args, idempotencyKey: arg.string() };
}

/** The arguments of a mutation on one row: its required `id`, then `args`, then the idempotency key. */
export function rowMutationArgs<Args extends object>(arg: FieldArgBuilder, args?: Args) {
  return mutationArgs(arg, { id: arg.id({ required: true }), ...args });
}

/** The operation of a mutation field, put in its extensions by `mutationOf`. */
export function operationOfField(extensions: Readonly<Record<string, unknown>> | null | undefined): DeclaredOperation | undefined {
  return extensions?.operation as DeclaredOperation | undefined;
}

function keysOf(schema: Joi.ObjectSchema | undefined): string[] {
  const described = schema?.describe() as { keys?: Record<string, unknown> } | undefined;
  return Object.keys(described?.keys ?? {});
}

/** Arguments flattened as REST's path and body hold them: an `input` object's fields at the top, the idempotency key aside. */
function requestOf(args: Record<string, unknown>, paramKeys: string[]): { params: Record<string, unknown>; body: Record<string, unknown> } {
  const { input, idempotencyKey: _key, ...rest } = args;
  const flat = { ...(input as Record<string, unknown> | undefined), ...rest };
  const params = Object.fromEntries(Object.entries(flat).filter(([key]) => paramKeys.includes(key)));
  const body = Object.fromEntries(Object.entries(flat).filter(([key]) => !paramKeys.includes(key)));
  return { params, body };
}

/**
 * The `extensions` and `resolve` of a mutation field that runs `op`. The field's name (the
 * Idempotency-Key's binding) is the one it is declared under; it answers the command's result as
 * its row unless `row` picks the row out of it.
 */
export function mutationOf<P extends object, B extends object, Row extends { id: string }>(
  op: SignedInOperation<P, B, Row>,
  mutation: { reload: Reload<Row> },
): MutationField<Row>;
export function mutationOf<P extends object, B extends object, Result, Row extends { id: string }>(
  op: SignedInOperation<P, B, Result>,
  mutation: MutationOf<Result, Row>,
): MutationField<Row>;
export function mutationOf<P extends object, B extends object, Result, Row extends { id: string }>(
  op: SignedInOperation<P, B, Result>,
  mutation: { row?: (result: Result) => Row; reload: Reload<Row> },
): MutationField<Row> {
  const paramKeys = keysOf(op.params);
  // Without `row` the first signature stands: the command's result is the row.
  const rowOf = mutation.row ?? ((result: unknown) => result as Row);
  return {
    extensions: { operation: op as DeclaredOperation },
    resolve: async (_root, args, context, info) => {
      const caller = callerOf(context, op.verb);
      const { params, body } = requestOf(args, paramKeys);
      const input = {
        ...(op.params ? validInput(op.params, params) : {}),
        ...validInput(op.body ?? NO_BODY, body),
      } as P & B;
      const idempotencyKey = args.idempotencyKey as string | null | undefined;
      return runCommand(
        context,
        { field: info.fieldName, input, idempotencyKey },
        async (deps) => rowOf(await op.run(caller, input, deps, { client: context.client, services: context.services })),
        (id) => mutation.reload(context, id),
      );
    },
  };
}
