/**
 * A route is declared once, as data: method, path, who may call it (its access verb), its Joi
 * schemas and its handler. The same declaration mounts the route (auth → verb → validation → idempotency →
 * handler) and produces its OpenAPI description (src/api/openapi/document.ts).
 */
import type Joi from 'joi';
import type { Middleware, ParameterizedContext } from 'koa';
import type { AccessTokenClaims } from '../../services/tokens';
import type { AuthUser } from '../../shared/caller';
import type { Verb } from '../../access/verbs';
import type { ApiServices } from '../runtime/services';

export type { AuthUser };

/** What validation made of the request: each part as its schema produced it (empty without a schema). */
export interface RouteInput<P = object, Q = object, B = object> {
  params: P;
  query: Q;
  body: B;
}

/** A part of the request the route declares no schema for: validation refuses anything in it. */
export type NoInput = Record<string, never>;

export interface RouteState<I = unknown> {
  requestId: string;
  user: AuthUser;
  /** The verified access token of an authenticated route (access tokens always carry an expiry). */
  jwt: AccessTokenClaims & { exp: number };
  /** That token as the client sent it. */
  bearerToken: string;
  input: I;
  /** The body as sent, on a route that reads it itself (middleware/raw-body.ts). */
  rawBody?: Buffer;
}

export type RouteContext<I = unknown> = ParameterizedContext<RouteState<I>> & { services: ApiServices };

/** The operation (src/api/http/operation.ts) a route or a GraphQL mutation is derived from, as the parity check reads it. */
export interface DeclaredOperation {
  name: string;
  verb?: Verb | 'public';
  params?: Joi.ObjectSchema;
  body?: Joi.ObjectSchema;
}

/**
 * A route as declared: its schemas fix the types of the handler's input (`src/shared/typed-schema.ts`), so a
 * schema change that breaks the handler fails to compile.
 */
export interface RouteDeclaration<P = NoInput, Q = NoInput, B = NoInput> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Koa-style path below /api/v1, e.g. `/plans/:id`. */
  path: string;
  summary: string;
  /** Its OpenAPI tag where it is not its module's (`tagged` gives a module's routes theirs). */
  tag?: string;
  /**
   * `public` routes need no token; every other route needs a valid access token in the
   * Authorization header, or, on a `codec-session` route alone (the codec routes the Temporal UI
   * calls), in the codec session cookie when no Authorization header is sent.
   */
  auth?: 'public' | 'codec-session';
  /**
   * Who may call the route: the access verb (src/access/verbs) whose roles it lets through; any
   * other role gets 403 before validation. Omitted means any authenticated user (the command's
   * access rule decides).
   */
  verb?: Verb;
  params?: Joi.ObjectSchema<P>;
  query?: Joi.ObjectSchema<Q>;
  body?: Joi.ObjectSchema<B>;
  /** Status of a success and the Joi schema of its body, for the OpenAPI document; `alsoCsv` when it can answer text/csv too. */
  response: {
    status: number;
    schema?: Joi.Schema;
    description?: string;
    alsoCsv?: boolean;
    /** Another success status answered with the same body (POST /subscriptions: 201 once active, 202 while pending). */
    also?: { status: number; description: string };
  };
  /** When the route answers 410 Gone (a single-use link used or run out), in words for the OpenAPI document. */
  gone?: string;
  /** Request headers the route reads besides the common ones, for the OpenAPI document (their parsing stays in the handler). */
  headers?: { name: string; description: string; schema: object }[];
  /**
   * Accepts an Idempotency-Key header: a repeat replays the stored response. Every write does,
   * unless it says `false` (auth routes: a replayed answer would hand out the same tokens again).
   */
  idempotent?: boolean;
  /**
   * Top-level fields of the answer that are secrets (an API key, a signing secret, a download link):
   * the idempotency store never keeps them, so a repeat with the same Idempotency-Key cannot hand
   * them out again. The repeat answers the first answer without them (`without`: what was made, which
   * the client can revoke or rotate), or is refused with 409 (`refused`: the answer is nothing but its secret).
   */
  secretAnswer?: SecretAnswer;
  /** Extra middleware run before validation (rate limits). */
  before?: Middleware[];
  handler: (ctx: RouteContext<RouteInput<P, Q, B>>) => Promise<void>;
  /** Set by `operationRoute`: the operation whose verb and schemas this route has. */
  operation?: DeclaredOperation;
}

/** The answer fields a route keeps out of the idempotency store, and what a repeat then answers. */
export interface SecretAnswer {
  fields: string[];
  repeat: 'without' | 'refused';
}

/** A declared route as the router takes it, whatever its input types. */
export type DeclaredRoute = RouteDeclaration<object, object, object>;

/** A declared route with its OpenAPI tag, as the API's route list and the OpenAPI document take it. */
export type RouteSpec = DeclaredRoute & { tag: string };

/**
 * A module's routes with the OpenAPI tag they share, stated once; a route that declares its own keeps it.
 */
export function tagged(tag: string, routes: DeclaredRoute[]): RouteSpec[] {
  return routes.map((spec) => ({ ...spec, tag: spec.tag ?? tag }));
}

/**
 * Declares a route. The validation middleware puts on `ctx.state.input` exactly what this
 * route's schemas produced, so here, and only here, the input is read as their types.
 */
export function route<P extends object = NoInput, Q extends object = NoInput, B extends object = NoInput>(
  spec: RouteDeclaration<P, Q, B>,
): DeclaredRoute {
  const { handler, ...declaration } = spec;
  return {
    ...declaration,
    handler: (ctx) => handler(ctx as RouteContext<RouteInput<P, Q, B>>),
  };
}

export function acceptsIdempotencyKey(spec: DeclaredRoute): boolean {
  return spec.idempotent ?? spec.method !== 'get';
}
