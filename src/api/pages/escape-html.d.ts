/** escape-html 1.x (installed with koa, which uses it for its own redirects) ships no types. */
declare module 'escape-html' {
  function escapeHtml(value: string): string;
  export = escapeHtml;
}
