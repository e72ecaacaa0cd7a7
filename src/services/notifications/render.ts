/**
 * Renders a notification from its template (docs/notifications.md): the messages of the
 * recipient's language (English where one is missing), or the tenant's own subject and intro,
 * formatted with ICU MessageFormat for that language and the tenant's time zone; the plain text
 * and the HTML from the same rendered messages. Every message is rendered as text and escaped as a
 * whole before it goes into the HTML, so neither a value (a name, a reason) nor a tenant's
 * override can add markup; the only link is the call to action our own code built.
 */
import { LRUCache } from 'lru-cache';
import type { ErrorDetail } from '../../shared/errors';
import {
  isLocale,
  LOCALES,
  isNotificationType,
  OVERRIDABLE_PARTS,
  OVERRIDE_MAX_LENGTH,
  type Branding,
  type Locale,
  type NotificationOverrides,
  type NotificationType,
  type OverridablePart,
} from '../../shared/notification-settings';
import { fillLayout } from './layout';
import { loadIntlMessageFormat } from './intl-messageformat';
import { de } from './messages/de';
import { en } from './messages/en';
import type { MessagePart, Messages } from './messages/types';
import { TEMPLATES, type TemplateValue, type ValuesOf } from './templates';

export const CATALOGS: Record<Locale, Partial<Record<NotificationType, Partial<Messages>>>> = { en, de };

/** Whom a notification is for and whose it is: the language, the tenant's time zone, branding and overrides. */
export interface RenderContext {
  locale: Locale;
  timeZone: string;
  branding: Branding;
  overrides: NotificationOverrides;
}

/** The link a notification asks its recipient to follow, and the single-use token in it, also shown on its own. */
export interface CallToAction {
  token: string;
  url: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const PRODUCT_NAME = 'Insurflow';

/** The `decimals` of a mail that carries none: the `other` branch of `money()` (messages/money.ts), two decimals. */
const LEGACY_DECIMALS = '2';

/**
 * `Intl.DateTimeFormat` taking a date as its ISO string too, as a workflow passes it to its
 * activity (an instant, `2030-03-14T15:30:00.000Z`, or a calendar date, `2030-03-14`, which is
 * its midnight UTC); a string that is no date is written as it is rather than failing the mail.
 */
function dateTimeFormat(...args: ConstructorParameters<typeof Intl.DateTimeFormat>): Intl.DateTimeFormat {
  const intl = new Intl.DateTimeFormat(...args);
  // Bound to `intl` by its getter: taken before the own property below replaces it.
  const formatDate = intl.format;
  const format = (value?: Date | number | string) => {
    if (typeof value !== 'string') return formatDate(value);
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : formatDate(date);
  };
  // `format` is an accessor of Intl.DateTimeFormat's prototype: an own property of the instance shadows it.
  return Object.defineProperty(intl, 'format', { value: format });
}

/**
 * Building an Intl formatter costs more than the rest of a render, and one never changes: each is
 * made once per kind, language and options and shared. (intl-messageformat memoizes its own
 * formatters this way, but not formatters handed to it.)
 */
const builtFormatters = new LRUCache<string, object>({ max: 500 });

function memoized<A extends unknown[], F extends object>(kind: string, build: (...args: A) => F): (...args: A) => F {
  return (...args) => {
    const key = `${kind}:${JSON.stringify(args)}`;
    const built = builtFormatters.get(key) as F | undefined;
    if (built) return built;
    const made = build(...args);
    builtFormatters.set(key, made);
    return made;
  };
}

/** ICU's formatters (intl-messageformat's `Formatters`), with dates given as ISO strings understood. */
const FORMATTERS = {
  getNumberFormat: memoized(
    'number',
    (locales?: string | string[], options?: Intl.NumberFormatOptions) => new Intl.NumberFormat(locales, options),
  ),
  getDateTimeFormat: memoized('date', dateTimeFormat),
  getPluralRules: memoized('plural', (...args: ConstructorParameters<typeof Intl.PluralRules>) => new Intl.PluralRules(...args)),
};

/** The message of `part`: the recipient's language, else English (undefined: the template has no such part). */
export function catalogMessage(type: NotificationType, part: MessagePart, locale: Locale): string | undefined {
  return CATALOGS[locale][type]?.[part] ?? en[type][part];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Non-empty lines, trimmed: a message's paragraphs. */
const paragraphsOf = (text: string | undefined) =>
  (text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

const htmlParagraphs = (lines: string[], style = 'margin:0 0 12px 0') =>
  lines.map((line) => `<p style="${style}">${escapeHtml(line)}</p>`).join('');

export async function renderNotification<T extends NotificationType>(
  type: T,
  values: ValuesOf<T>,
  context: RenderContext,
  callToAction?: CallToAction,
): Promise<RenderedMail> {
  const { IntlMessageFormat } = await loadIntlMessageFormat();
  // A day without its time: `day` in the language's own order (14.03.2030), `isoDay` year-month-day in any language (2030-03-14).
  const day = { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: context.timeZone } as const;
  const formats = {
    date: {
      day,
      isoDay: { ...day, calendar: 'iso8601' },
      deadline: {
        year: 'numeric',
        month: 'long',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: context.timeZone,
        timeZoneName: 'short',
      },
      // A calendar date (a subscription's end, an invoice's due date): the day itself, in no time zone.
      calendarDay: { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' },
    },
  } as const;
  // A run started before its mails' amounts carried their currency's decimals passes none (a
  // missing variable fails the render): its amounts are written with two, as they were then (messages/money.ts).
  const given = values as Record<string, TemplateValue | undefined>;
  const filled = { ...given, decimals: given.decimals ?? LEGACY_DECIMALS } as Record<string, TemplateValue>;
  const format = (message: string | undefined) =>
    message === undefined
      ? undefined
      : String(new IntlMessageFormat(message, context.locale, formats, { formatters: FORMATTERS }).format(filled));
  const render = (part: MessagePart) => {
    const override = (OVERRIDABLE_PARTS as readonly string[]).includes(part)
      ? context.overrides[type]?.[context.locale]?.[part as OverridablePart]
      : undefined;
    if (override !== undefined) {
      // Checked when stored (overrideProblems); one that no longer fits the template (a variable
      // since removed) gives way to ours rather than failing the mail.
      try {
        return format(override);
      } catch {
        /* fall through to the catalog's message */
      }
    }
    return format(catalogMessage(type, part, context.locale));
  };

  const subject = render('subject')!.replace(/\s+/g, ' ').trim();
  const intro = paragraphsOf(render('intro'));
  const body = paragraphsOf(render('body'));
  const outro = paragraphsOf(render('outro'));
  const action = callToAction ? paragraphsOf(render('action')) : [];

  const text = [intro, body, callToAction ? [callToAction.token] : [], callToAction ? [...action, callToAction.url] : [], outro]
    .filter((section) => section.length)
    .map((section) => section.join('\n'))
    .join('\n\n');

  const brand = context.branding.name ?? PRODUCT_NAME;
  const logo = context.branding.logoUrl?.startsWith('https://') ? context.branding.logoUrl : undefined;
  const header = logo
    ? `<img src="${escapeHtml(logo)}" alt="${escapeHtml(brand)}" height="40" style="display:block;height:40px;border:0">`
    : escapeHtml(brand);
  const tokenHtml = callToAction ? htmlParagraphs([callToAction.token], 'margin:0 0 12px 0;font-family:monospace;font-size:14px') : '';
  const html = fillLayout(
    {
      SUBJECT: escapeHtml(subject),
      HEADER: header,
      ...(callToAction
        ? {
            CONTENT: htmlParagraphs([...intro, ...body]) + tokenHtml + htmlParagraphs(action),
            HREF: escapeHtml(callToAction.url),
            BUTTON: escapeHtml(render('button') ?? ''),
            AFTER:
              `<p style="margin:0 0 12px 0;font-size:13px;word-break:break-all">${escapeHtml(callToAction.url)}</p>` +
              htmlParagraphs(outro),
          }
        : { CONTENT: htmlParagraphs([...intro, ...body, ...outro]) }),
    },
    context.branding.colour,
  );
  return { subject, text, html };
}

/** Each template's sample values with a sample link: what a preview renders. */
export function sampleValues<T extends NotificationType>(type: T): ValuesOf<T> {
  return TEMPLATES[type].variables as unknown as ValuesOf<T>;
}

/** Controls (C0, DEL, C1) and invisible format characters; an intro may have line breaks, a subject none. */
const CONTROL_CHARACTERS = /[\p{Cc}\p{Cf}]/u;

/** The kinds of element of @formatjs/icu-messageformat-parser's tree (its `TYPE`) the checks below tell apart. */
const TYPE = { literal: 0, pound: 7 } as const;

type AstElement = { type: number; value?: unknown; options?: Record<string, { value: AstElement[] }> };

/** The problems of one override's text: `variables` are the ones its template declares. */
async function messageProblem(
  text: unknown,
  part: OverridablePart,
  locale: Locale,
  variables: readonly string[],
): Promise<string | undefined> {
  if (typeof text !== 'string' || !text.trim()) return 'must be a non-empty string';
  if (text.length > OVERRIDE_MAX_LENGTH[part]) return `must be at most ${OVERRIDE_MAX_LENGTH[part]} characters`;
  if (CONTROL_CHARACTERS.test(part === 'intro' ? text.replace(/\n/g, '') : text)) return 'must not contain control characters';
  // Escaped when rendered anyway; refused so that nobody stores markup believing it works.
  if (/[<>]/.test(text)) return 'must not contain HTML (< or >)';
  const { IntlMessageFormat } = await loadIntlMessageFormat();
  let ast: AstElement[];
  try {
    ast = new IntlMessageFormat(text, locale).getAst() as AstElement[];
  } catch (err) {
    return `is not a valid ICU message: ${(err as Error).message}`;
  }
  const walk = (elements: AstElement[]): string | undefined => {
    for (const element of elements) {
      if (element.type !== TYPE.literal && element.type !== TYPE.pound && !variables.includes(String(element.value))) {
        return `uses {${String(element.value)}}, which this notification does not have; it has ${variables.map((v) => `{${v}}`).join(', ') || 'no variables'}`;
      }
      const nested = Object.values(element.options ?? {}).map((option) => walk(option.value));
      const found = nested.find(Boolean);
      if (found) return found;
    }
    return undefined;
  };
  return walk(ast);
}

/**
 * What is wrong with a tenant's overrides (`notificationOverrides`), each problem naming its field
 * (`notificationOverrides.passwordReset.de.subject`): an unknown type, language or part, or a text
 * that is not a valid message, holds markup or names a variable its template does not declare.
 */
export async function overrideProblems(overrides: Record<string, unknown>, field = 'notificationOverrides'): Promise<ErrorDetail[]> {
  const problems: ErrorDetail[] = [];
  const objectOrProblem = (value: unknown, at: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return Object.entries(value);
    problems.push({ field: at, message: 'must be an object' });
    return [];
  };
  for (const [type, byLocale] of Object.entries(overrides)) {
    if (!isNotificationType(type)) {
      problems.push({ field: `${field}.${type}`, message: 'is not a notification type' });
      continue;
    }
    const variables = Object.keys(TEMPLATES[type].variables);
    for (const [locale, parts] of objectOrProblem(byLocale, `${field}.${type}`)) {
      if (!isLocale(locale)) {
        problems.push({ field: `${field}.${type}.${locale}`, message: `is not a language; they are ${LOCALES.join(', ')}` });
        continue;
      }
      for (const [part, text] of objectOrProblem(parts, `${field}.${type}.${locale}`)) {
        const at = `${field}.${type}.${locale}.${part}`;
        if (!(OVERRIDABLE_PARTS as readonly string[]).includes(part)) {
          problems.push({ field: at, message: `is not a part a tenant may set; they are ${OVERRIDABLE_PARTS.join(', ')}` });
          continue;
        }
        const problem = await messageProblem(text, part as OverridablePart, locale, variables);
        if (problem) problems.push({ field: at, message: problem });
      }
    }
  }
  return problems;
}
