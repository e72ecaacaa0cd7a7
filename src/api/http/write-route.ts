/**
 * The writes most resources declare alike, each kind built here once on `operationRoute`
 * (src/api/http/operation.ts), as the reads are in `row-route.ts`: an action on one row (`actionRoute`),
 * the making of one (`createRoute`), a change of one (`updateRoute`) and a write taken in to be carried out
 * later (`acceptedRoute`). A write answered otherwise (a status that depends on the result, a handler of its
 * own) is declared with `operationRoute` itself; a DELETE answered 204 with `deleteOperationRoute`.
 */
import type Joi from 'joi';
import { operationRoute, type Operation, type RestRequest } from './operation';
import type { DeclaredRoute, RouteDeclaration } from './route';

/** Where a write is, how it is described and how it answers, as the kinds below take them. */
type WritePlacement<Result> = Pick<RouteDeclaration, 'path' | 'summary' | 'secretAnswer' | 'before' | 'idempotent'> & {
  /** The answer's Joi schema, for the OpenAPI document. */
  schema: Joi.Schema;
  /** Renders the result; without it, the result itself is the answer. */
  view?: (result: Result) => unknown;
};

/** The route of `op` at `method`, answered `status` (the OpenAPI document's `description` of it, if any) with the schema's body. */
function writeRoute<P extends object, B extends object, Result>(
  op: Operation<P, B, Result, RestRequest>,
  method: 'post' | 'patch' | 'put',
  status: number,
  http: WritePlacement<Result> & { description?: string },
): DeclaredRoute {
  const { schema, description, ...declaration } = http;
  return operationRoute(op, { method, ...declaration, response: { status, schema, ...(description && { description }) } });
}

/**
 * An action on one row: `POST <path>`, whose path names the row (`/compliance/policies/:id`, a claim's payment
 * `/claims/:id/payments/:paymentId`) and ends in what is done to it (`/retire`, `/approve`, `/transitions`),
 * answered 200 with the row as it now is, or with what the action made of it (a calendar's imported holidays,
 * an invoice's card payment).
 */
export function actionRoute<P extends object, B extends object, Result>(
  op: Operation<P, B, Result, RestRequest>,
  http: WritePlacement<Result>,
): DeclaredRoute {
  return writeRoute(op, 'post', 200, http);
}

/**
 * The making of one row: `POST <path>` to the collection it joins (`/compliance/policies`, a claim's notes
 * `/claims/:id/notes`), answered 201 with the row made.
 */
export function createRoute<P extends object, B extends object, Result>(
  op: Operation<P, B, Result, RestRequest>,
  http: WritePlacement<Result>,
): DeclaredRoute {
  return writeRoute(op, 'post', 201, http);
}

/**
 * A change of the row (or the settings) `path` names: `PATCH` the fields the body gives, or `PUT` what the
 * body sets whole (a requirement's linked policies, a saved report's owner), answered 200 with it as it now is.
 */
export function updateRoute<P extends object, B extends object, Result>(
  op: Operation<P, B, Result, RestRequest>,
  http: WritePlacement<Result> & { method: 'patch' | 'put' },
): DeclaredRoute {
  const { method, ...placement } = http;
  return writeRoute(op, method, 200, placement);
}

/**
 * A write taken in to be carried out later (the run it starts, a proposal a second person decides):
 * `POST <path>` answered 202 with what was taken in; `description` says what follows and where to see it
 * (`Started; GET /operations/:id shows its progress`).
 */
export function acceptedRoute<P extends object, B extends object, Result>(
  op: Operation<P, B, Result, RestRequest>,
  http: WritePlacement<Result> & { description?: string },
): DeclaredRoute {
  return writeRoute(op, 'post', 202, http);
}
