/**
 * One line of printable text: characters of the Basic Multilingual Plane without control characters, and
 * without Unicode's line and paragraph separators (U+2028, U+2029), which break a line as \n does in a PDF,
 * a mail or a label. Nor the explicit direction controls (embeddings and overrides U+202A–U+202E, isolates
 * U+2066–U+2069): a name in Hebrew or Arabic needs none, its letters carry their direction, while an override
 * shows `invoice\u202Efdp.exe` as "invoiceexe.pdf" in a list or a mail. A class every regex dialect reads the
 * same: the OpenAPI document shows it to clients.
 */
const ONE_LINE_CHARACTERS = '\\x20-\\x7e\\xa0-\\u2027\\u202f-\\u2065\\u206a-\\ud7ff\\ue000-\\uffff';

/** A request's text that must be one line (`oneLineText` in src/api/http/common-schemas.ts) matches it. */
export const ONE_LINE_PATTERN = new RegExp(`^[${ONE_LINE_CHARACTERS}]*$`);

/**
 * Free text on several lines (a reason, a note, a description): anything but the control characters one line
 * refuses, except line feed, carriage return and tab. BEL, ESC, DEL, the C1 range and U+2028/U+2029 stay out: a
 * mail, a PDF or a terminal would act on them instead of showing them. Stated as the characters it refuses, so
 * that text beyond the Basic Multilingual Plane (an emoji in a claim's description) is kept, and every regex
 * dialect reads it the same; lone surrogates and NUL are refused for every string before (well-formed.ts).
 */
const CONTROLS_BUT_LINE_BREAKS = '\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u2028\\u2029';

/** A request's text that may run over several lines (`multiLineText` in src/api/http/common-schemas.ts) matches it. */
export const MULTI_LINE_PATTERN = new RegExp(`^[^${CONTROLS_BUT_LINE_BREAKS}]*$`);

const OUTSIDE_ONE_LINE = new RegExp(`[^${ONE_LINE_CHARACTERS}]+`, 'g');

/**
 * Text that comes from elsewhere (an imported file's) made one line: what one line leaves out becomes a
 * space, and spaces in a row one. What a person sends is refused instead, so they see what was wrong.
 */
export function asOneLine(text: string): string {
  return text.replace(OUTSIDE_ONE_LINE, ' ').replace(/ {2,}/g, ' ').trim();
}
