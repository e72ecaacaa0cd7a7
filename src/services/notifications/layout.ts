/**
 * The HTML around every notification: an MJML document (docs/notifications.md, Layout), compiled
 * once per process to the table-based, inline-styled HTML mail clients render, then filled per
 * mail. Slots are `%%NAME%%` markers, filled in one pass, so text put in one slot is never read as
 * another slot; whatever fills them is HTML already escaped by ./render.ts, and the colour is
 * checked against `#RRGGBB` before it replaces the stand-in.
 */
import mjml2html from 'mjml';
import { COLOUR_PATTERN } from '../../shared/notification-settings';

/** The button's and the header rule's colour when the tenant names none. */
export const DEFAULT_COLOUR = '#1d4ed8';
/** Stands for the tenant's colour in the compiled layout; replaced before any text goes in. */
const COLOUR_STAND_IN = '#010203';

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

function document(withAction: boolean): string {
  const action = withAction
    ? `<mj-button href="%%HREF%%" align="left" background-color="${COLOUR_STAND_IN}" color="#ffffff" font-size="15px" font-weight="bold" border-radius="4px">%%BUTTON%%</mj-button>
        <mj-text>%%AFTER%%</mj-text>`
    : '';
  return `<mjml>
  <mj-head>
    <mj-title>%%SUBJECT%%</mj-title>
    <mj-attributes>
      <mj-all font-family="Helvetica, Arial, sans-serif" />
      <mj-text font-size="15px" line-height="22px" color="#1f2933" />
    </mj-attributes>
  </mj-head>
  <mj-body background-color="#f3f4f6">
    <mj-section background-color="#ffffff" border-top="4px solid ${COLOUR_STAND_IN}" padding="16px 0 0 0">
      <mj-column>
        <mj-text font-size="18px" font-weight="bold">%%HEADER%%</mj-text>
      </mj-column>
    </mj-section>
    <mj-section background-color="#ffffff" padding="0 0 16px 0">
      <mj-column>
        <mj-text>%%CONTENT%%</mj-text>
        ${action}
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;
}

const compiled = new Map<boolean, Promise<string>>();

async function compile(withAction: boolean): Promise<string> {
  const { html, errors } = await mjml2html(document(withAction), { validationLevel: 'strict' });
  if (errors.length) throw new Error(`The mail layout does not compile: ${errors.map((e) => e.formattedMessage).join('; ')}`);
  return html;
}

/** The layout (with or without a button), compiled on first use and kept. */
function layout(withAction: boolean): Promise<string> {
  let html = compiled.get(withAction);
  if (!html) {
    html = compile(withAction);
    compiled.set(withAction, html);
  }
  return html;
}

/** The mail's HTML: the layout in `colour` (DEFAULT_COLOUR unless `#RRGGBB`), its slots filled with `slots` (escaped HTML). */
export async function fillLayout(slots: LayoutSlots, colour: string | undefined): Promise<string> {
  const withAction = slots.HREF !== undefined;
  const coloured = (await layout(withAction)).split(COLOUR_STAND_IN).join(colour && COLOUR_PATTERN.test(colour) ? colour : DEFAULT_COLOUR);
  return coloured.replace(/%%([A-Z]+)%%/g, (marker, name: keyof LayoutSlots) => slots[name] ?? marker);
}
