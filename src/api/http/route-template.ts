import type { Context } from 'koa';

/** The route a request matched, as declared (`/api/v1/claims/:id`), so IDs never become labels. */
export function routeTemplate(ctx: Context): string {
  return (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
}
