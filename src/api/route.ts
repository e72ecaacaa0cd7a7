/**
 * A route is declared once, as data: method, path, who may call it, its Joi schemas and its
 * handler. The same declaration mounts the route (auth → roles → validation → idempotency →
 * handler) and produces its OpenAPI description (src/api/openapi.ts).
 */
import type Joi from 'joi';
import type { Middleware, ParameterizedContext } from 'koa';
import type { Role } from '../shared/roles';
import type { ApiServices } from './services';

export interface AuthUser {
  id: string;
  tenantId: string | null;
  role: Role;
}

export interface RouteInput<P = object, Q = object, B = object> {
  params: P;
  query: Q;
  body: B;
}

export interface RouteState<I extends RouteInput = RouteInput> {
  requestId: string;
  user: AuthUser;
  input: I;
}

export type RouteContext<I extends RouteInput = RouteInput> = ParameterizedContext<RouteState<I>> & { services: ApiServices };

export interface RouteSpec<I extends RouteInput = RouteInput> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Koa-style path below /api/v1, e.g. `/plans/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** `public` routes need no token; every other route needs a valid access token. */
  auth?: 'public';
  /** Roles allowed to call the route; omitted means any authenticated user. */
  roles?: Role[];
  params?: Joi.ObjectSchema;
  query?: Joi.ObjectSchema;
  body?: Joi.ObjectSchema;
  /** Status of a success and the Joi schema of its body, for the OpenAPI document; `alsoCsv` when it can answer text/csv too. */
  response: { status: number; schema?: Joi.Schema; description?: string; alsoCsv?: boolean };
  /**
   * Accepts an Idempotency-Key header: a repeat replays the stored response. Every write does,
   * unless it says `false` (auth routes: a replayed answer would hand out the same tokens again).
   */
  idempotent?: boolean;
  /** Extra middleware run before validation (rate limits). */
  before?: Middleware[];
  handler: (ctx: RouteContext<I>) => Promise<void>;
}

/** Identity helper that keeps the handler's input type tied to its spec. */
export function route<I extends RouteInput>(spec: RouteSpec<I>): RouteSpec<RouteInput> {
  return spec as unknown as RouteSpec<RouteInput>;
}

export function acceptsIdempotencyKey(spec: RouteSpec): boolean {
  return spec.idempotent ?? spec.method !== 'get';
}
