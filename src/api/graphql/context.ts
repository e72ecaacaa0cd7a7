/**
 * What every resolver of one GraphQL request receives: the caller (null without a bearer token),
 * the API's services, the request ID, the request's own DataLoaders and the moment it is answered as of.
 */
import type DataLoader from 'dataloader';
import { assertMay, type Verb } from '../../access/may';
import { principalKey, type AuthUser } from '../../shared/caller';
import { notFound, unauthorized } from '../../shared/errors';
import type { CommandDeps } from '../../domain/command';
import type { ClientEvidence } from '../http/client-evidence';
import { commandDepsOf } from '../http/command-deps';
import { runOnce } from '../http/middleware/idempotency';
import { GRAPHQL_PATH } from '../http/paths';
import type { ApiServices } from '../runtime/services';
import { idParams } from '../http/common-schemas';
import { validInput } from './input';
import { createLoaders, type Loaders } from './loaders';

export type GraphQLContext = {
  caller: AuthUser | null;
  services: ApiServices;
  requestId: string;
  loaders: Loaders;
  /** The request's client address and user agent, the evidence an acknowledgement keeps. */
  client: ClientEvidence;
  /**
   * The app's clock, read once for the request: every report it reads is as of this instant (period and sections,
   * a requirement's progress, the trial balance's day), as a REST report's route reads one `now` for its whole
   * answer (docs/reports.md).
   */
  now: Date;
};

/** The context of one request, answered as of `now` (the app's clock when it arrives). */
export function graphQLContext(
  services: ApiServices,
  caller: AuthUser | null,
  requestId: string,
  client: ClientEvidence,
  now = new Date(),
): GraphQLContext {
  return { caller, services, requestId, loaders: createLoaders(caller, now), client, now };
}

/**
 * The caller of a field that needs one: without a token only `viewer` (null) and introspection
 * answer. A field names the access verb of its REST route, refused alike (FORBIDDEN; an API key on a
 * person's decision with reason person_required).
 */
export function callerOf(context: GraphQLContext, verb?: Verb): AuthUser {
  if (!context.caller) throw unauthorized();
  if (verb !== undefined) assertMay(context.caller, verb);
  return context.caller;
}

/**
 * One row by its `id` argument (a UUID, BAD_USER_INPUT otherwise) through a loader of the request,
 * whose statement carries the access policy's scope: null when it does not exist or is not the
 * caller's to see, where REST answers 404. A caller the verb does not let through (when given) is refused first.
 */
export function visibleById<Row>(
  context: GraphQLContext,
  loader: DataLoader<string, Row | null>,
  id: string,
  verb?: Verb,
): Promise<Row | null> {
  callerOf(context, verb);
  return loader.load(validInput(idParams, { id }).id);
}

/**
 * Runs a mutation's command as its REST route does: the same deps, and under an `idempotencyKey`
 * the Idempotency-Key rules of REST (the same store, keyed by the caller; the key bound to the
 * mutation and its input; a repeat while the first runs is CONFLICT, with other input
 * BAD_USER_INPUT). A repeat after success answers the row the first attempt wrote, as it is now
 * (`reload`, through the access policy), where REST replays the stored body.
 */
export async function runCommand<Row extends { id: string }>(
  context: GraphQLContext,
  mutation: { field: string; input: object; idempotencyKey: string | null | undefined },
  command: (deps: CommandDeps) => Promise<Row>,
  reload: (id: string) => Promise<Row | null>,
): Promise<Row> {
  const caller = callerOf(context);
  const idempotencyKey = mutation.idempotencyKey ?? undefined;
  const deps = commandDepsOf(context.services, { caller, requestId: context.requestId, idempotencyKey, client: context.client });
  if (idempotencyKey === undefined) return command(deps);
  let row: Row | undefined;
  const keyed = {
    scope: principalKey(caller),
    key: idempotencyKey,
    method: 'POST',
    path: `${GRAPHQL_PATH}#${mutation.field}`,
    body: mutation.input,
  };
  const outcome = await runOnce(keyed, context.services.config.deadlines.requestMs, async () => {
    row = await command(deps);
    return { status: 200, body: { id: row.id } };
  });
  if (row) return row;
  const replayed = await reload((outcome.body as { id: string }).id);
  if (!replayed) throw notFound();
  return replayed;
}
