/**
 * The API's routes looked up by their first path segment (src/api/http/route-index.ts) answer every
 * request as the one router they come from: the same route runs, and the same layers are recorded as
 * matched (what 405 and its Allow header, and a literal route's precedence over a parameter, are read
 * from), letter case, trailing slashes and a route whose first segment is a parameter included.
 * What answers outside the API's prefix (pages, probes, documents) is skipped below it, and
 * cannot be mounted so when one of its routes could answer there.
 */
import Router from '@koa/router';
import Koa from 'koa';
import supertest from 'supertest';
import { allowedMethods } from '../../../src/api/http/middleware/allowed-methods';
import { errorHandler } from '../../../src/api/http/middleware/error-handler';
import { outsidePrefix, routedByFirstSegment } from '../../../src/api/http/route-index';

const PREFIX = '/api/v1';

function declaredRouter(): Router {
  const router = new Router();
  const answer = (name: string) => (ctx: Koa.Context) => {
    ctx.body = { route: name };
  };
  router.get('/claims', answer('list claims'));
  router.post('/claims', answer('file a claim'));
  router.get('/claims/:id', answer('one claim'));
  router.get('/claims/verify', answer('verify'));
  router.get('/:kind/export', answer('any export'));
  router.get('/Plans', answer('plans'));
  router.get('/', answer('index'));
  return router.prefix(PREFIX);
}

/** An app as src/api/app.ts mounts the API's router, answering which layers matched beside the route's body. */
function appWith(routes: ReturnType<Router['routes']>): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    await next();
    const matched = (ctx as Koa.Context & { matched?: Router['stack'] }).matched ?? [];
    ctx.set('X-Matched', matched.map((layer) => `${layer.methods.join(',')} ${layer.path}`).join('; '));
  });
  app.use(errorHandler());
  app.use(allowedMethods());
  app.use(routes);
  return app;
}

describe('routes looked up by their first segment', () => {
  const whole = supertest(appWith(declaredRouter().routes()).callback());
  const indexed = supertest(appWith(routedByFirstSegment(declaredRouter(), PREFIX)).callback());

  it.each([
    ['get', '/api/v1/claims'],
    ['post', '/api/v1/claims'],
    ['delete', '/api/v1/claims'],
    ['options', '/api/v1/claims'],
    ['get', '/API/V1/CLAIMS/'],
    ['get', '/api/v1/claims/123'],
    ['get', '/api/v1/claims/verify'],
    ['get', '/api/v1/claims/export'],
    ['get', '/api/v1/plans'],
    ['get', '/api/v1/plans/export'],
    ['get', '/api/v1/unknown'],
    ['get', '/api/v1'],
    ['get', '/api/v1/'],
    ['get', '/api/v1claims'],
    ['get', '/elsewhere'],
  ] as const)('%s %s', async (method, path) => {
    const [expected, got] = await Promise.all([whole[method](path), indexed[method](path)]);
    expect({ status: got.status, body: got.body, allow: got.headers.allow, matched: got.headers['x-matched'] }).toEqual({
      status: expected.status,
      body: expected.body,
      allow: expected.headers.allow,
      matched: expected.headers['x-matched'],
    });
  });
});

describe('middleware kept outside the prefix', () => {
  /** Pages at /app and a probe, as src/api/app.ts mounts them, then the API's routes; the header names what ran. */
  function appWithPages(): Koa {
    const pages = new Router();
    pages.get('/app/verify', (ctx) => {
      ctx.body = { page: 'verify' };
    });
    pages.get('/healthz', (ctx) => {
      ctx.body = { probe: 'ok' };
    });
    const app = new Koa();
    app.use(async (ctx, next) => {
      ctx.state.ran = [];
      await next();
      ctx.set('X-Ran', (ctx.state.ran as string[]).join(','));
    });
    const noting: Koa.Middleware = async (ctx, next) => {
      (ctx.state.ran as string[]).push('outside');
      await next();
    };
    app.use(outsidePrefix(PREFIX, [noting, pages.routes()]));
    app.use(errorHandler());
    app.use(allowedMethods());
    app.use(routedByFirstSegment(declaredRouter(), PREFIX));
    return app;
  }
  const app = supertest(appWithPages().callback());

  it.each([
    ['/app/verify', 200, { page: 'verify' }, 'outside'],
    ['/healthz', 200, { probe: 'ok' }, 'outside'],
    ['/api/v1claims', 404, undefined, 'outside'],
    ['/api/v1/claims', 200, { route: 'list claims' }, ''],
    ['/API/V1/Claims/', 200, { route: 'list claims' }, ''],
    ['/api/v1', 200, { route: 'index' }, ''],
  ] as const)('GET %s answers %s, what is outside the prefix run only there', async (path, status, body, ran) => {
    const answer = await app.get(path);
    expect({ status: answer.status, ran: answer.headers['x-ran'] }).toEqual({ status, ran });
    if (body) expect(answer.body).toEqual(body);
  });

  it.each(['/api/v1/claims', '/API/V1', '/:anything', '/api/:version/claims', '/api/v1{/:x}'])(
    'refuses a router with %s, a route that could answer below the prefix',
    (path) => {
      const router = new Router();
      router.get('/app/verify', () => undefined);
      router.get(path, () => undefined);
      expect(() => outsidePrefix(PREFIX, [router.routes()])).toThrow(`could answer below ${PREFIX}`);
    },
  );
});
