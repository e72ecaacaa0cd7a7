/**
 * A GraphQL mutation derived from an operation (src/api/http/operation.ts): the caller is refused
 * with the operation's verb, the arguments checked by its schemas (those named by its parameters'
 * schema as REST's path, the others as REST's body) and its command run through `runCommand`. The
 * field carries the operation in its extensions, so the parity check finds it.
 */
import type { SignedInOperation } from '../http/operation';
import type { DeclaredOperation } from '../http/route';
import { callerOf, runCommand, type GraphQLContext } from './context';
import { validInput } from './input';
import Joi from 'joi';

/** The input of an operation without a body: nothing besides its parameters is accepted. */
const NO_BODY = Joi.object({});

export interface MutationOf<Result, Row extends { id: string }> {
  /** The mutation's name (also the Idempotency-Key's binding). */
  field: string;
  /** The row the mutation answers with, from the command's result. */
  row: (result: Result) => Row;
  /** The row a repeated mutation wrote, as the caller sees it now (null when it may not). */
  reload: (context: GraphQLContext, id: string) => Promise<Row | null>;
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

/** The `extensions` and `resolve` of a mutation field that runs `op`. */
export function mutationOf<P extends object, B extends object, Result, Row extends { id: string }>(
  op: SignedInOperation<P, B, Result>,
  mutation: MutationOf<Result, Row>,
) {
  const paramKeys = keysOf(op.params);
  return {
    extensions: { operation: op as DeclaredOperation },
    resolve: async (_root: unknown, args: Record<string, unknown>, context: GraphQLContext): Promise<Row> => {
      const caller = callerOf(context, op.verb);
      const { params, body } = requestOf(args, paramKeys);
      const input = {
        ...(op.params ? validInput(op.params, params) : {}),
        ...validInput(op.body ?? NO_BODY, body),
      } as P & B;
      const idempotencyKey = args.idempotencyKey as string | null | undefined;
      return runCommand(
        context,
        { field: mutation.field, input, idempotencyKey },
        async (deps) => mutation.row(await op.run(caller, input, deps, { client: context.client, services: context.services })),
        (id) => mutation.reload(context, id),
      );
    },
  };
}
