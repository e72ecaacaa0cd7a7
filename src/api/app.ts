import cors from '@koa/cors';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import helmet from 'koa-helmet';
import { httpSpan } from './http/middleware/http-span';
import { buildAsyncApi } from './openapi/asyncapi';
import { docsRoutes } from './openapi/swagger-ui';
import { unsupportedMediaType, validationFailed } from '../shared/errors';
import { repeatedKey } from './http/well-formed';
import { graphiqlRoutes } from './graphql/graphiql';
import { graphqlEndpoint } from './graphql/handler';
import { healthRoutes } from './runtime/health';
import { createMetrics } from './runtime/metrics';
import { allowedMethods } from './http/middleware/allowed-methods';
import { deprecations } from './http/deprecation';
import { errorHandler } from './http/middleware/error-handler';
import { requestId } from './http/middleware/request-id';
import { requestLog } from './http/middleware/request-log';
import { mountRoutes } from './http/mount';
import { outsidePrefix, routedByFirstSegment } from './http/route-index';
import { acknowledgePageRoutes } from './pages/acknowledge';
import { pageRoutes } from './pages/routes';
import { buildOpenApi } from './openapi/document';
import { API_PREFIX, CODEC_PATH, STRIPE_WEBHOOK_PATH } from './http/paths';
import { allRoutes } from './routes';
import type { ApiServices } from './runtime/services';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** JSON is UTF-8 (RFC 8259): a body declared in another charset (latin1) would be decoded as that, not as the client meant. */
const isUtf8 = (charset: string) => charset === '' || /^utf-?8$/i.test(charset);
/** Paths whose route reads its body as the bytes sent (a signature covers them): the JSON parser leaves them alone. */
/** The version both documents state. */
const API_VERSION = '0.1.0';

const RAW_BODY_PATHS = new Set([`${API_PREFIX}${STRIPE_WEBHOOK_PATH}`]);

/** A parsed JSON body names each key of an object once (REST and GraphQL alike): 400 naming the first repeated one. */
function onceEach(ctx: Koa.Context, next: Koa.Next): Promise<unknown> {
  const repeated = typeof ctx.request.rawBody === 'string' ? repeatedKey(ctx.request.rawBody) : null;
  if (repeated !== null) throw validationFailed([{ field: `body.${repeated}`, message: `body.${repeated} is given more than once` }]);
  return next();
}

export function createApp(services: ApiServices): Koa {
  const { config, logger } = services;
  // X-Forwarded-For is believed only for the proxies we were told about, counted from our side.
  const app = new Koa({ proxy: config.trustProxyHops > 0, maxIpsCount: config.trustProxyHops });
  app.context.services = services;
  const metrics = createMetrics();
  const specs = allRoutes(config);
  const docs = docsRoutes(
    () => buildOpenApi(specs, API_VERSION),
    () => buildAsyncApi(API_VERSION),
  );
  const api = mountRoutes(specs, config).prefix(API_PREFIX);

  if (services.tracer) app.use(httpSpan(services.tracer));
  app.use(requestId());
  app.use(requestLog(logger));
  app.use(errorHandler());
  app.use(deprecations());
  app.use(metrics.middleware);
  app.use(helmet());
  const apiCors = cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return config.api.corsOrigins.includes(origin) ? origin : '';
    },
    exposeHeaders: ['X-Request-Id', 'Idempotent-Replayed'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
  });
  // The codec routes answer the Temporal UI's origin alone, which sends the operator's token
  // (pass-access-token) and, with include-credentials, its cookies.
  const codecCors = cors({
    origin: (ctx) =>
      config.temporal.uiOrigin !== undefined && ctx.get('Origin') === config.temporal.uiOrigin ? config.temporal.uiOrigin : '',
    credentials: true,
    allowMethods: ['POST'],
    allowHeaders: ['Authorization', 'Content-Type', 'X-Namespace'],
    exposeHeaders: ['X-Request-Id'],
  });
  const codecPrefix = `${API_PREFIX}${CODEC_PATH}/`;
  app.use((ctx, next) => (ctx.path.startsWith(codecPrefix) ? codecCors(ctx, next) : apiCors(ctx, next)));
  // A read has no body to refuse: its media type is not parsed.
  app.use((ctx, next) => {
    if (WRITE_METHODS.has(ctx.method) && ctx.path.startsWith(API_PREFIX) && ctx.request.length) {
      if (!ctx.is('application/json') || !isUtf8(ctx.request.charset)) throw unsupportedMediaType();
    }
    return next();
  });
  // The pages under /app read forms, not JSON (src/api/pages/guards.ts), so they come before the JSON body parser.
  app.use(outsidePrefix(API_PREFIX, [pageRoutes(config).routes(), acknowledgePageRoutes(config).routes()]));
  const jsonBody = bodyParser({
    enableTypes: ['json'],
    jsonLimit: config.api.bodyLimit,
    jsonStrict: true,
    parsedMethods: [...WRITE_METHODS],
  });
  // Only a write's body is parsed (parsedMethods), so a read skips both at once. The router matches
  // paths case-insensitively and with a trailing slash: so does this test.
  app.use((ctx, next) =>
    !WRITE_METHODS.has(ctx.method) || RAW_BODY_PATHS.has(ctx.path.toLowerCase().replace(/\/$/, ''))
      ? next()
      : jsonBody(ctx, () => onceEach(ctx, next)),
  );
  // Not below API_PREFIX either: the Swagger UI's assets are mounted at /api/docs, GraphQL answers GRAPHQL_PATH alone.
  app.use(
    outsidePrefix(API_PREFIX, [
      healthRoutes(services, metrics.registry).routes(),
      docs.router.routes(),
      docs.assets,
      graphiqlRoutes().routes(),
      graphqlEndpoint(config),
    ]),
  );
  app.use(allowedMethods());
  app.use(routedByFirstSegment(api, API_PREFIX));
  return app;
}
