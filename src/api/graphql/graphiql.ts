/**
 * GraphiQL at /api/graphiql, served from the project's own packages (graphiql, react, react-dom),
 * so it works offline and under the API's Content-Security-Policy (helmet's default: scripts from
 * this origin only, hence no inline script). The bearer token goes in GraphiQL's Headers editor.
 */
import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import { GRAPHQL_PATH } from '../http/paths';

export const GRAPHIQL_PATH = '/api/graphiql';

/** A file of an installed package: the browser builds are not among what the packages export to Node. */
function packageFile(name: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${name}/package.json`, { paths: [__dirname] })), file);
}

/** Every file the page loads, by the name it is served under: nothing else under the path is served. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'react.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'application/javascript' },
  'react-dom.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'application/javascript' },
  'graphiql.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'application/javascript' },
  'graphiql.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Insurflow GraphiQL</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="graphiql.css" />
    <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script src="react.js"></script>
    <script src="react-dom.js"></script>
    <script src="graphiql.js"></script>
    <script src="init.js"></script>
  </body>
</html>
`;

const DEFAULT_QUERY = `# Insurflow's GraphQL API (docs/graphql.md).
# Sign in (POST /api/v1/auth/login) and put the access token in the Headers tab below:
#   { "Authorization": "Bearer <access token>" }
# Without a token only viewer (null) and introspection answer.
{
  viewer { id fullName role }
}
`;

const INITIALIZER = `(function () {
  var fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(GRAPHQL_PATH)} });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
      defaultHeaders: '{}',
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
      // A token typed into the page is not kept in the browser's storage.
      shouldPersistHeaders: false,
    }),
  );
})();
`;

export function graphiqlRoutes(): Router {
  const router = new Router();
  // The page's assets are relative links, so it is served with a trailing slash (the router matches both).
  router.get(GRAPHIQL_PATH, (ctx) => {
    if (!ctx.path.endsWith('/')) return ctx.redirect(`${GRAPHIQL_PATH}/`);
    ctx.type = 'text/html';
    ctx.body = PAGE;
  });
  router.get(`${GRAPHIQL_PATH}/init.js`, (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = INITIALIZER;
  });
  router.get(`${GRAPHIQL_PATH}/:asset`, (ctx, next) => {
    const asset = Object.hasOwn(ASSETS, ctx.params.asset) ? ASSETS[ctx.params.asset] : undefined;
    if (!asset) return next();
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = fs.createReadStream(asset.file);
  });
  return router;
}
