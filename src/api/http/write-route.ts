/**
 * The writes most resources declare alike, each kind built here once on `operationRoute`
 * (src/api/http/operation.ts), as the reads are in `row-route.ts`: an action on one row (`actionRoute`)
 * and the making of one (`createRoute`). A write answered otherwise (202 for what it started, a status that
 * depends on the result, a handler of its own) is declared with `operationRoute` itself; a DELETE answered
 * 204 with `deleteOperationRoute`.
 */
import type Joi from 'joi';
import { operationRoute, type Operation, type RestRequest } from './operation';
import type { DeclaredRoute, RouteDeclaration } from './route';

/** Where a write is, how it is described and how it answers, as the kinds below take them. */
type WritePlacement<Result> = Pick<RouteDeclaration, 'path' | 'summary' | 'secretAnswer' | 'before'> & {
  /** The answer's Joi schema, for the OpenAPI document. */
  schema: Joi.Schema;
  /** Renders the result; without it, the result itself is the answer. */
  view?: (result: Result) => unknown;
};

/**
 * An action on one row: `POST <path>`, whose path names the row (`/compliance/policies/:id`, a claim's payment
 * `/claims/:id/payments/:paymentId`) and ends in what is done to it (`/retire`, `/approve`, `/transitions`),
 * answered 200 with the row as it now is.
 */
export function actionRoute<P extends object, B extends object, Result>(
  op: Operation<P, B, Result, RestRequest>,
  http: WritePlacement<Result>,
): DeclaredRoute {
  const { schema, ...declaration } = http;
  return operationRoute(op, { method: 'post', ...declaration, response: { status: 200, schema } });
}

/**
 * The making of one row: `POST <path>` to the collection it joins (`/compliance/policies`, a claim's notes
 * `/claims/:id/notes`), answered 201 with the row made.
 */
export function createRoute<P extends object, B extends object, Result>(
  op: Operation<P, B, Result, RestRequest>,
  http: WritePlacement<Result>,
): DeclaredRoute {
  const { schema, ...declaration } = http;
  return operationRoute(op, { method: 'post', ...declaration, response: { status: 201, schema } });
}
