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
