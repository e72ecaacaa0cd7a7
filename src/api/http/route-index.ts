/**
 * The API's router, its routes looked up by the first segment of the path below the prefix.
 * @koa/router tests every route's pattern in turn on every request (with a debug call each): for the
 * API's few hundred routes that was a fifth of the bytes the API allocated under list load, and its GC
 * with them (docs/performance.md, Lists). Each first segment's routes become a router of their own
 * holding the same layers in the same order, so the same middleware (one token cache, one rate
 * limiter) runs as before; a route whose first segment is not a literal is in every one. The layers a
 * path matches, and so `ctx.matched` (405s, literal routes before parameters), are the same: a
 * literal first segment matches only itself, letter case aside, as the router matches.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';

type Layer = Router['stack'][number];

const LITERAL_SEGMENT = /^[a-z0-9._~-]*$/;

/** The first segment below `prefix`, lower case ('' for the prefix itself); null when `path` is not below it. */
function firstSegment(path: string, prefix: string): string | null {
  const lower = path.toLowerCase();
  if (lower === prefix) return '';
  if (!lower.startsWith(`${prefix}/`)) return null;
  const rest = lower.slice(prefix.length + 1);
  const end = rest.indexOf('/');
  return end === -1 ? rest : rest.slice(0, end);
}

export function routedByFirstSegment(router: Router, prefix: string): ReturnType<Router['routes']> {
  const literal = new Map<string, Layer[]>();
  const everywhere: Layer[] = [];
  for (const layer of router.stack) {
    const segment = typeof layer.path === 'string' ? firstSegment(layer.path, prefix) : null;
    if (segment === null || !LITERAL_SEGMENT.test(segment)) everywhere.push(layer);
    else literal.set(segment, [...(literal.get(segment) ?? []), layer]);
  }
  const routerOf = (layers: Layer[]) => {
    const own = new Router();
    // Kept in the API's order, the non-literal ones where they stood.
    own.stack = router.stack.filter((layer) => layers.includes(layer) || everywhere.includes(layer));
    return own.routes();
  };
  const bySegment = new Map([...literal].map(([segment, layers]) => [segment, routerOf(layers)]));
  const elsewhere = routerOf([]);
  return (ctx, next) => {
    const segment = firstSegment(ctx.path, prefix);
    return ((segment !== null && bySegment.get(segment)) || elsewhere)(ctx, next);
  };
}

/** Where a route's path stops being literal: a parameter, a wildcard, an optional or escaped part. */
const NOT_LITERAL = /[:*({?\\]/;

/** Whether `layer` could match `prefix` or a path below it: its literal beginning is not another path. */
function mayMatchBelow(layer: Layer, prefix: string): boolean {
  if (typeof layer.path !== 'string') return true;
  const path = layer.path.toLowerCase();
  const literal = path.search(NOT_LITERAL) === -1 ? path : path.slice(0, path.search(NOT_LITERAL));
  return literal.startsWith(prefix) || prefix.startsWith(literal);
}

/**
 * `middleware` (the pages, probes, documents and GraphQL the API process serves beside its
 * routes), run only for a path that is not `prefix` or below it: a request below it skips them.
 * Each of their routers read the Host header and matched the path against each of its routes on
 * every request to find nothing for an API route, a few per cent of the bytes the API allocated
 * under list load (docs/performance.md, Lists). A router among them with a route that could match
 * a path below `prefix` is refused here, as the app is made, so nothing that answers is skipped;
 * middleware that is not a router states its own paths where it is mounted.
 */
export function outsidePrefix(prefix: string, middleware: Array<Middleware | ReturnType<Router['routes']>>): Middleware {
  for (const each of middleware) {
    const { router } = each as { router?: Router };
    const below = router?.stack.find((layer) => mayMatchBelow(layer, prefix));
    if (below) throw new Error(`${String(below.path)} could answer below ${prefix}: it cannot be mounted outside it`);
  }
  const composed = compose(middleware as Middleware[]);
  return (ctx, next) => (firstSegment(ctx.path, prefix) === null ? composed(ctx, next) : next());
}
