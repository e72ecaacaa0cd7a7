/**
 * The HTML around every notification: an MJML document (scripts/mail-layout.ts, docs/notifications.md,
 * Layout) compiled when it changes, not at run time, to the table-based, inline-styled HTML mail
 * clients render (./layout-html.ts, generated), then filled per mail. Slots are `%%NAME%%` markers, filled in one pass, so text put in one slot is never read as
 * another slot; whatever fills them is HTML already escaped by ./render.ts, and the colour is
 * checked against `#RRGGBB` before it replaces the stand-in.
 */
import { LAYOUT_HTML } from './layout-html';
import { COLOUR_PATTERN } from '../../shared/notification-settings';

/** The button's and the header rule's colour when the tenant names none. */
export const DEFAULT_COLOUR = '#1d4ed8';
/** Stands for the tenant's colour in the compiled layout; replaced before any text goes in. */
export const COLOUR_STAND_IN = '#010203';

export interface LayoutSlots {
  SUBJECT: string;
  HEADER: string;
  /** Everything above the button (or the whole mail, without one). */
  CONTENT: string;
  /** With a call to action: the button's link, label, and what follows it. */
  HREF?: string;
  BUTTON?: string;
  AFTER?: string;
}

/** The mail's HTML: the layout in `colour` (DEFAULT_COLOUR unless `#RRGGBB`), its slots filled with `slots` (escaped HTML). */
export function fillLayout(slots: LayoutSlots, colour: string | undefined): string {
  const html = slots.HREF !== undefined ? LAYOUT_HTML.withAction : LAYOUT_HTML.withoutAction;
  const coloured = html.split(COLOUR_STAND_IN).join(colour && COLOUR_PATTERN.test(colour) ? colour : DEFAULT_COLOUR);
  return coloured.replace(/%%([A-Z]+)%%/g, (marker, name: keyof LayoutSlots) => slots[name] ?? marker);
}
