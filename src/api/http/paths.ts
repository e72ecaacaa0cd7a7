export const API_PREFIX = '/api/v1';
/** Temporal's codec-server endpoint below API_PREFIX: the UI calls `<endpoint>/decode` and `/encode`. */
export const CODEC_PATH = '/codec';
/**
 * The cookie that carries a platform admin's access token to the codec routes alone (its Path),
 * for the Temporal UI, which can send the API's cookies (include-credentials) but not its tokens.
 */
export const CODEC_SESSION_COOKIE = 'insurflow_codec_session';
/**
 * Stripe's webhook endpoint below API_PREFIX: its signature covers the exact bytes sent, so the
 * JSON body parser leaves this path alone and the route reads the raw body itself (raw-body.ts).
 */
export const STRIPE_WEBHOOK_PATH = '/payments/webhooks/stripe';
/** The GraphQL endpoint, beside the REST prefix (docs/graphql.md). */
export const GRAPHQL_PATH = '/api/graphql';
