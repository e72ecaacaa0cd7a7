/**
 * An operation is a command as the API exposes it, declared once: who may call it, the Joi schemas
 * of its input (the path's parameters and the body) and the command it runs. Every transport
 * derives its entry from this one declaration: `operationRoute` the REST route (its path, status
 * and rendering stay REST's), `mutationOf` (src/api/graphql/mutation.ts) the GraphQL mutation (its
 * name and arguments stay GraphQL's). So a command cannot be reached by one transport with rules
 * the other does not have (tests/structure/transport-parity.test.ts).
 */
import type Joi from 'joi';
import type { CommandDeps } from '../../domain/command';
import type { AuthUser } from '../../shared/caller';
import type { Role } from '../../shared/roles';
import type { ClientEvidence } from './client-evidence';
import { clientEvidenceOf } from './client-evidence';
import { commandDeps } from './command-deps';
import { route, type DeclaredOperation, type NoInput, type RouteContext, type RouteDeclaration, type RouteSpec } from './route';

/** What a transport knows of the request besides caller and input. */
export interface OperationRequest {
  /** The client address and user agent, the evidence an acknowledgement keeps. */
  client: ClientEvidence;
  /** REST's `Prefer: wait=N`: how long a start may wait for its run (GraphQL never waits). */
  waitSeconds?: number;
}

export interface Operation<P extends object = NoInput, B extends object = NoInput, Result = unknown> extends DeclaredOperation {
  /** The command's name, e.g. `claims.file`, as the parity check reports it. */
  name: string;
  /** Roles allowed to call it; omitted means any authenticated user (the command's access policy decides). */
  roles?: Role[];
  /** The identifying parameters: REST's path parameters, GraphQL's arguments of the same names. */
  params?: Joi.ObjectSchema<P>;
  /** The rest of the input: REST's body, GraphQL's other arguments. */
  body?: Joi.ObjectSchema<B>;
  /** Runs the command with the caller and the validated input (parameters and body merged). */
  run: (caller: AuthUser, input: P & B, deps: CommandDeps, request: OperationRequest) => Promise<Result>;
}

export function operation<P extends object = NoInput, B extends object = NoInput, Result = unknown>(
  declaration: Operation<P, B, Result>,
): Operation<P, B, Result> {
  return declaration;
}

/** The REST side of an operation: its place in the API and how it answers. */
export type OperationRouteDeclaration<Result> = Pick<
  RouteDeclaration,
  'method' | 'path' | 'summary' | 'tag' | 'response' | 'headers' | 'idempotent' | 'before'
> &
  (
    | {
        /** Runs the operation (`waitSeconds` where the route honours `Prefer: wait`) and renders its result. */
        handler: OperationHandler<Result>;
        view?: never;
      }
    | {
        /** Renders the result answered under `response.status` (it may look more up); without it, the result itself. */
        view?: (result: Result) => unknown;
        handler?: never;
      }
  );

type OperationHandler<Result> = (ctx: RouteContext, execute: (waitSeconds?: number | null) => Promise<Result>) => Promise<void>;

/** The REST route of an operation: its roles and schemas are the operation's. */
export function operationRoute<P extends object, B extends object, Result>(
  op: Operation<P, B, Result>,
  http: OperationRouteDeclaration<Result>,
): RouteSpec {
  const { handler, view, ...declaration } = http;
  const answer: OperationHandler<Result> =
    handler ??
    (async (ctx, execute) => {
      const result = await execute();
      ctx.status = declaration.response.status;
      ctx.body = view ? await view(result) : result;
    });
  return {
    ...route<P, NoInput, B>({
      ...declaration,
      roles: op.roles,
      params: op.params,
      body: op.body,
      handler: (ctx) =>
        answer(ctx, (waitSeconds) => {
          const input = { ...ctx.state.input.params, ...ctx.state.input.body } as P & B;
          const request = { client: clientEvidenceOf(ctx), ...(waitSeconds && { waitSeconds }) };
          return op.run(ctx.state.user, input, commandDeps(ctx), request);
        }),
    }),
    operation: op,
  };
}
