/**
 * An operation is a write as the API exposes it, declared once: its input (the Joi schemas of the
 * path's parameters and the body), who may call it (its access verb, src/access/verbs) and the
 * command it runs. It is the one way to declare a write: `operationRoute` derives the REST route
 * (its path, status and answer stay REST's), `mutationOf` (src/api/graphql/mutation.ts) the GraphQL
 * mutation (its name and arguments stay GraphQL's). So a command cannot be reached by one
 * transport with rules the other does not have (tests/structure/transport-parity.test.ts).
 */
import type Joi from 'joi';
import type { Verb } from '../../access/verbs';
import type { Command, CommandDeps } from '../../domain/command';
import type { Presence } from '../../domain/identity/presence';
import type { AuthUser } from '../../shared/caller';
import type { ApiServices } from '../runtime/services';
import { throttlesOf, type Throttles } from '../auth/throttles';
import type { ClientEvidence } from './client-evidence';
import { clientEvidenceOf } from './client-evidence';
import { commandDeps, publicCommandDeps } from './command-deps';
import { route, type NoInput, type RouteContext, type RouteDeclaration, type DeclaredRoute } from './route';

/** What a transport knows of the request besides caller and input. */
export interface OperationRequest {
  /** The client address and user agent, the evidence an acknowledgement keeps. */
  client: ClientEvidence;
  /** REST's `Prefer: wait=N`: how long a start may wait for its run (GraphQL never waits). */
  waitSeconds?: number;
  /** The API's services, for a command that needs one the deps do not carry (the payment provider). */
  services: ApiServices;
}

/**
 * What REST alone knows of a request besides that, for an operation only a route runs (its `run`
 * declares `request: RestRequest`, so `mutationOf` does not take it).
 */
export interface RestRequest extends OperationRequest {
  /** The caller's session (the access token's family): a password or e-mail change keeps it. Absent on a public route. */
  sessionFamilyId?: string;
  /** When the caller signed in, on the access token a sign-in answered (not on a refreshed one): a change asking for the person's presence reads it. */
  signedInAt?: Date;
  /** The client's counts of wrong passwords and second-factor codes (src/api/auth/throttles.ts). */
  throttles: Throttles;
}

/**
 * The `run` of an operation whose command asks for the person's presence (a password in the body, or
 * a recent sign-in): the input with what only REST knows of it, when the caller signed in and the
 * sign-in's count of wrong passwords.
 */
export function withPresence<Input extends Presence, Result>(
  command: Command<Input, Result>,
): (caller: AuthUser, input: Omit<Input, 'signedInAt' | 'passwordAttempts'>, deps: CommandDeps, request: RestRequest) => Promise<Result> {
  return (caller, input, deps, { signedInAt, throttles }) =>
    command(caller, { ...input, signedInAt, passwordAttempts: throttles.login } as Input, deps);
}

/**
 * The `run` of an operation that answers what `view` makes of its command's result (the row as the API shows it, with
 * what the command started beside it), whichever transport runs it; a route's `view` renders for REST alone.
 */
export function answeringWith<Result, Answer>(view: (result: Result) => Answer) {
  return <Input>(command: Command<Input, Result>): Command<Input, Answer> =>
    async (caller, input, deps) =>
      view(await command(caller, input, deps));
}

/**
 * What every operation declares: its name, its input and the command it runs. `Caller` is what
 * `run` takes before the input: the signed-in caller, or nothing for a public operation.
 */
interface OperationBase<P extends object, B extends object, Result, Request extends OperationRequest, Caller extends [AuthUser] | []> {
  /** The command's name, e.g. `claims.file`, as the parity check reports it. */
  name: string;
  /** The identifying parameters: REST's path parameters, GraphQL's arguments of the same names. */
  params?: Joi.ObjectSchema<P>;
  /** The rest of the input: REST's body, GraphQL's other arguments. */
  body?: Joi.ObjectSchema<B>;
  /** Runs the command with the validated input (parameters and body merged). */
  run: (...args: [...caller: Caller, input: P & B, deps: CommandDeps, request: Request]) => Promise<Result>;
}

/** An operation a signed-in caller runs. */
export interface SignedInOperation<
  P extends object = NoInput,
  B extends object = NoInput,
  Result = unknown,
  Request extends OperationRequest = OperationRequest,
> extends OperationBase<P, B, Result, Request, [caller: AuthUser]> {
  /** Who may call it; omitted means any authenticated user (the command's access rule decides). */
  verb?: Verb;
}

/**
 * An operation anyone may call before signing in (sign-up, using a mailed token, refreshing a
 * session): a public command (src/domain/command.ts). Its REST route is not replayed from an
 * Idempotency-Key unless it says `idempotent: true`: a replayed answer would hand out the same tokens again.
 */
export interface PublicOperation<
  P extends object = NoInput,
  B extends object = NoInput,
  Result = unknown,
  Request extends OperationRequest = OperationRequest,
> extends OperationBase<P, B, Result, Request, []> {
  verb: 'public';
}

export type Operation<
  P extends object = NoInput,
  B extends object = NoInput,
  Result = unknown,
  Request extends OperationRequest = OperationRequest,
> = SignedInOperation<P, B, Result, Request> | PublicOperation<P, B, Result, Request>;

export function operation<
  P extends object = NoInput,
  B extends object = NoInput,
  Result = unknown,
  Request extends OperationRequest = OperationRequest,
>(declaration: SignedInOperation<P, B, Result, Request>): SignedInOperation<P, B, Result, NoInfer<Request>>;
export function operation<
  P extends object = NoInput,
  B extends object = NoInput,
  Result = unknown,
  Request extends OperationRequest = OperationRequest,
>(declaration: PublicOperation<P, B, Result, Request>): PublicOperation<P, B, Result, NoInfer<Request>>;
export function operation<P extends object, B extends object, Result, Request extends OperationRequest>(
  declaration: Operation<P, B, Result, Request>,
): Operation<P, B, Result, Request> {
  return declaration;
}

/** The REST side of an operation: its place in the API and how it answers. */
export type OperationRouteDeclaration<Result> = Pick<
  RouteDeclaration,
  'method' | 'path' | 'summary' | 'tag' | 'response' | 'headers' | 'idempotent' | 'secretAnswer' | 'gone' | 'before'
> &
  (
    | {
        /** Runs the operation (`waitSeconds` where the route honours `Prefer: wait`) and answers (headers of its own, a waited-for status). */
        handler: OperationHandler<Result>;
        view?: never;
        statusOf?: never;
      }
    | {
        /** Renders the result answered under `response.status` (it may look more up); without it, the result itself. */
        view?: (result: Result) => unknown;
        /** The status of a result when it may be another than `response.status` (one `response.also` names). */
        statusOf?: (result: Result) => number;
        handler?: never;
      }
  );

type OperationHandler<Result> = (ctx: RouteContext, execute: (waitSeconds?: number | null) => Promise<Result>) => Promise<void>;

/** The REST route of an operation: its verb and schemas are the operation's. */
export function operationRoute<P extends object, B extends object, Result>(
  op: Operation<P, B, Result, RestRequest>,
  http: OperationRouteDeclaration<Result>,
): DeclaredRoute {
  const { handler, view, statusOf, ...declaration } = http;
  const answer: OperationHandler<Result> =
    handler ??
    (async (ctx, execute) => {
      const result = await execute();
      const status = statusOf ? statusOf(result) : declaration.response.status;
      ctx.status = status;
      if (status !== 204) ctx.body = view ? await view(result) : result;
    });
  const execute = (ctx: RouteContext, input: P & B, waitSeconds?: number | null): Promise<Result> => {
    const request: RestRequest = {
      client: clientEvidenceOf(ctx),
      services: ctx.services,
      ...(waitSeconds && { waitSeconds }),
      sessionFamilyId: ctx.state.jwt?.fid,
      ...(ctx.state.jwt?.auth_time !== undefined && { signedInAt: new Date(ctx.state.jwt.auth_time * 1000) }),
      throttles: throttlesOf(ctx),
    };
    return op.verb === 'public' ? op.run(input, publicCommandDeps(ctx), request) : op.run(ctx.state.user, input, commandDeps(ctx), request);
  };
  return {
    ...route<P, NoInput, B>({
      ...declaration,
      ...(op.verb === 'public' ? { auth: 'public', idempotent: declaration.idempotent ?? false } : { verb: op.verb }),
      params: op.params,
      body: op.body,
      handler: (ctx) =>
        // The path's parameters win: a body's schema names none of them.
        answer(ctx, (waitSeconds) => execute(ctx, { ...ctx.state.input.body, ...ctx.state.input.params } as P & B, waitSeconds)),
    }),
    operation: op,
  };
}

/** The REST route of an operation that deletes what `path` names: DELETE, answered 204 with no body. */
export function deleteOperationRoute<P extends object, B extends object, Result>(
  op: Operation<P, B, Result, RestRequest>,
  http: Pick<RouteDeclaration, 'path' | 'summary' | 'tag'>,
): DeclaredRoute {
  return operationRoute(op, { ...http, method: 'delete', response: { status: 204 } });
}
