/**
 * `/api/graphql` over the GraphQL-over-HTTP specification: graphql-http's generic handler adapted
 * to Koa. POST, and GET for queries; one operation per request (graphql-http refuses a batch);
 * the query parsed under a token limit, measured against its bounds (bounds.ts), then validated by
 * graphql's rules without field suggestions for a caller with no token, before anything executes. The same bearer token
 * and authority check as REST; without one only `viewer` (null) and introspection answer.
 * Requests are counted in PostgreSQL as REST's rate limits are: per user with a valid token, per
 * client address without one (a refused token counts there too), 429 with Retry-After past either.
 */
import { GraphQLError, parse, specifiedRules, validate, type ExecutionArgs } from 'graphql';
import { clientEvidenceOf } from '../http/client-evidence';
import { createHandler } from 'graphql-http';
import type { Middleware } from 'koa';
import type { Config } from '../../config';
import { authenticate } from '../http/middleware/auth';
import { rateLimit } from '../http/middleware/rate-limit';
import { GRAPHQL_PATH } from '../http/paths';
import { principalKey, type AuthUser } from '../../shared/caller';
import { boundsRule, MAX_TOKENS } from './bounds';
import { graphQLContext, type GraphQLContext } from './context';
import { toGraphQLError } from './errors';
import { schema } from './schema';

const handle = createHandler<unknown, GraphQLContext, GraphQLContext>({
  schema,
  onSubscribe: (req, params): (ExecutionArgs & { contextValue: GraphQLContext }) | readonly GraphQLError[] => {
    const context = req.context;
    let document;
    try {
      document = parse(params.query, { maxTokens: MAX_TOKENS });
    } catch (error) {
      return [error instanceof GraphQLError ? error : new GraphQLError('The query could not be parsed')];
    }
    // Suggestions name fields and enum values: none for a caller without a token, at validation
    // or when variables are coerced.
    const hideSuggestions = context.caller === null;
    // The bounds first and alone: graphql's own rules are only run over a document they bound.
    const introspection = context.caller !== null || context.services.config.graphql.anonymousIntrospection;
    const bounds = validate(schema, document, [boundsRule({ variables: params.variables ?? {}, introspection })], { hideSuggestions });
    if (bounds.length) return bounds;
    const errors = validate(schema, document, specifiedRules, { hideSuggestions });
    if (errors.length) return errors;
    return {
      schema,
      document,
      operationName: params.operationName,
      variableValues: params.variables,
      contextValue: context,
      hideSuggestions,
    };
  },
  onOperation: (req, _args, result) => {
    if (!('errors' in result) || !result.errors) return;
    const { services, requestId } = req.context;
    return { ...result, errors: result.errors.map((error) => toGraphQLError(error, services.logger, requestId)) };
  },
});

/** Runs a middleware for its checks alone (it throws to refuse), not as a step before the rest. */
const nothingAfter = async () => undefined;

export function graphqlEndpoint(config: Config): Middleware {
  const checkToken = authenticate(config);
  const { graphqlAnonymousPerMinute, graphqlPerUserPerMinute } = config.rateLimit;
  const perAddress = rateLimit({ name: 'graphql-ip', points: graphqlAnonymousPerMinute, durationSeconds: 60 });
  const perUser = rateLimit({ name: 'graphql-user', points: graphqlPerUserPerMinute, durationSeconds: 60 }, (ctx) =>
    principalKey(ctx.state.user as AuthUser),
  );
  return async (ctx, next) => {
    if (ctx.path !== GRAPHQL_PATH) return next();
    // A token that is present must be valid (401 otherwise, as on REST); none means an anonymous
    // caller. A refused token is counted against the client's address as an anonymous request is,
    // so made-up tokens buy no more requests than none.
    if (ctx.get('Authorization')) {
      try {
        await checkToken(ctx, nothingAfter);
      } catch (refusal) {
        await perAddress(ctx, nothingAfter);
        throw refusal;
      }
    }
    const caller = (ctx.state.user as AuthUser | undefined) ?? null;
    await (caller ? perUser : perAddress)(ctx, nothingAfter);
    const parsed: unknown = ctx.request.body;
    const [responseBody, init] = await handle({
      url: ctx.url,
      method: ctx.method,
      headers: ctx.headers,
      // The app's JSON body parser has read a JSON body, under the API's body limit; graphql-http
      // refuses any other content type before it asks for the body.
      body: typeof parsed === 'object' && parsed !== null ? Object.fromEntries(Object.entries(parsed)) : '',
      raw: ctx.req,
      context: graphQLContext(ctx.services, caller, ctx.state.requestId as string, clientEvidenceOf(ctx)),
    });
    ctx.status = init.status;
    for (const [name, value] of Object.entries(init.headers ?? {})) ctx.set(name, value);
    ctx.body = responseBody ?? '';
  };
}
