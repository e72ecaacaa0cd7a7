/** Swagger UI at /api/docs, its assets served from swagger-ui-dist by this app (no CDN); the OpenAPI and AsyncAPI documents. */
import Router from '@koa/router';
import mount from 'koa-mount';
import serve from 'koa-static';
// The package's main module also evaluates its 2 MB browser bundle, which the server never runs;
// this one only answers where the assets are.
import swaggerUiAssetsPath from 'swagger-ui-dist/absolute-path';

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
};
`;

/**
 * The documents are built on the first request for each and kept: building the OpenAPI one converts
 * every route's schemas (about 90 ms of CPU), which an app that is never asked for it, as most test
 * files' are, need not pay at its start.
 */
export function docsRoutes(buildOpenApi: () => object, buildAsyncApi: () => object) {
  const router = new Router();
  let openApi: object | undefined;
  let asyncApi: object | undefined;
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = openApi ??= buildOpenApi();
  });
  // The events sent to webhook endpoints (docs/webhooks.md), beside the API they are managed with.
  router.get('/api/asyncapi.json', (ctx) => {
    ctx.body = asyncApi ??= buildAsyncApi();
  });
  // The UI's assets are relative links, so the page must be served with a trailing slash.
  router.get('/api/docs', (ctx, next) => (ctx.path.endsWith('/') ? next() : ctx.redirect('/api/docs/')));
  router.get('/api/docs/swagger-initializer.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = INITIALIZER;
  });
  return { router, assets: mount('/api/docs', serve(swaggerUiAssetsPath())) };
}
