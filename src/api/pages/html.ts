/**
 * The HTML of the pages under /app: written only through the `html` tag, which escapes every
 * interpolated value with `escape-html` (the escaper koa itself uses) unless it is HTML this tag
 * made. So no value (a token from the URL, a tenant's name, a typed field) reaches a page
 * unescaped, in text or in a quoted attribute, by construction rather than by remembering.
 */
import escapeHtml from 'escape-html';

/** HTML made by the `html` tag: safe to put in another page as it is. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Interpolated = string | number | SafeHtml | null | undefined | false | Interpolated[];

function render(value: Interpolated): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, literal, i) => out + literal + (i < values.length ? render(values[i]) : ''), ''));
}

/** Styles in the page itself: the CSP (helmet's default) allows inline styles, never inline scripts; the pages have no script. */
const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #f5f6f8; }
  header { background: #1f3a5f; color: #fff; padding: 0.75rem 1.5rem; font-weight: 600; }
  main { max-width: 32rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 6px; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  input[type=password], input[type=email], input[type=text] { width: 100%; box-sizing: border-box; font: inherit; padding: 0.5rem; margin-top: 0.25rem; border: 1px solid #6b7280; border-radius: 4px; }
  .hint { color: #4b5563; font-size: 0.9rem; margin: 0.25rem 0 0; }
  .error { color: #b00020; font-weight: 600; }
  button { margin-top: 1.25rem; font: inherit; padding: 0.5rem 1.25rem; background: #1f3a5f; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
  :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  a { color: #1f3a5f; }
  h2 { font-size: 1.15rem; margin-top: 1.5rem; }
  .policy-text { white-space: pre-wrap; border-left: 4px solid #1f3a5f; padding: 0.5rem 1rem; background: #f5f6f8; }
  .hash { overflow-wrap: anywhere; }
`;

/** A whole page: the company the person deals with on top, the title as its one heading. */
export function page(options: { title: string; tenantName: string | null; body: SafeHtml }): string {
  const company = options.tenantName ?? 'Insurflow';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · ${company}</title>
        <link rel="icon" href="data:," />
        <style>
          ${new SafeHtml(STYLE)}
        </style>
      </head>
      <body>
        <header><p>${company}</p></header>
        <main>
          <h1>${options.title}</h1>
          ${options.body}
        </main>
      </body>
    </html> `.text;
}

/** A form field with its label, hint and error message, which a screen reader reads with the field and announces when it appears. */
export function field(options: {
  name: string;
  label: string;
  type: 'password' | 'email' | 'text';
  autocomplete: string;
  maxLength: number;
  hint?: string;
  error?: string;
  value?: string;
}): SafeHtml {
  const { name } = options;
  const describedBy = [options.hint && `${name}-hint`, options.error && `${name}-error`].filter(Boolean).join(' ');
  return html`<label for="${name}">${options.label}</label>
    <input
      id="${name}"
      name="${name}"
      type="${options.type}"
      autocomplete="${options.autocomplete}"
      required
      maxlength="${options.maxLength}"
      ${
        options.value ? html` value="${options.value}"` : ''
      }${describedBy ? html` aria-describedby="${describedBy}"` : ''}${options.error ? html` aria-invalid="true" autofocus` : ''}
    />
    ${options.hint && html`<p class="hint" id="${name}-hint">${options.hint}</p>`}
    ${options.error && html`<p class="error" id="${name}-error" role="alert">${options.error}</p>`}`;
}
