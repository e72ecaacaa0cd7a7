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

export function docsRoutes(openApi: object, asyncApi: object) {
  const router = new Router();
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = openApi;
  });
  // The events sent to webhook endpoints (docs/webhooks.md), beside the API they are managed with.
  router.get('/api/asyncapi.json', (ctx) => {
    ctx.body = asyncApi;
  });
  // The UI's assets are relative links, so the page must be served with a trailing slash.
  router.get('/api/docs', (ctx, next) => (ctx.path.endsWith('/') ? next() : ctx.redirect('/api/docs/')));
  router.get('/api/docs/swagger-initializer.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = INITIALIZER;
  });
  return { router, assets: mount('/api/docs', serve(swaggerUiAssetsPath())) };
}
