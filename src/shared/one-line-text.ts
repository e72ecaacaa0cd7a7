/**
 * One line of printable text: characters of the Basic Multilingual Plane without control characters, and
 * without Unicode's line and paragraph separators (U+2028, U+2029), which break a line as \n does in a PDF,
 * a mail or a label. Nor the explicit direction controls (embeddings and overrides U+202A–U+202E, isolates
 * U+2066–U+2069): a name in Hebrew or Arabic needs none, its letters carry their direction, while an override
 * shows `invoice\u202Efdp.exe` as "invoiceexe.pdf" in a list or a mail. A class every regex dialect reads the
 * same: the OpenAPI document shows it to clients. Nor the byte order mark (U+FEFF), which only a file's
 * first bytes should carry.
 */
const ONE_LINE_CHARACTERS = '\\x20-\\x7e\\xa0-\\u2027\\u202f-\\u2065\\u206a-\\ud7ff\\ue000-\\ufefe\\uff00-\\uffff';

/**
 * The characters of one line that show: all of it but spaces (U+0020, U+00A0, U+1680, U+2000–U+200A, U+202F,
 * U+205F, U+3000) and the ones that are there without being seen (the soft hyphen U+00AD, the grapheme joiner
 * U+034F, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the Mongolian vowel separator U+180E, the zero-width
 * characters and marks U+200B–U+200F, the word joiner and invisible operators U+2060–U+206F). They may stand in a
 * name (a joiner in a Persian one) but not make it: a category named U+200B listed as nothing at all.
 */
const SHOWN_CHARACTERS =
  '\\x21-\\x7e\\xa1-\\xac\\xae-\\u034e\\u0350-\\u115e\\u1161-\\u167f\\u1681-\\u180d\\u180f-\\u1fff\\u2010-\\u2027\\u2030-\\u205e' +
  '\\u2070-\\u2fff\\u3001-\\u3163\\u3165-\\ud7ff\\ue000-\\ufefe\\uff00-\\uff9f\\uffa1-\\uffff';

/** The rest of one line: what stands before the first character that shows (kept apart from it, so a match is linear). */
const UNSEEN_CHARACTERS =
  '\\x20\\xa0\\xad\\u115f\\u1160\\u1680\\u180e\\u2000-\\u200f\\u202f\\u205f-\\u2065\\u206a-\\u206f\\u3000\\u3164\\uffa0';

/** A request's text that must be one line (`oneLineText` in src/api/http/common-schemas.ts), with one character that shows, matches it. */
export const ONE_LINE_PATTERN = new RegExp(`^[${UNSEEN_CHARACTERS}]*[${SHOWN_CHARACTERS}][${ONE_LINE_CHARACTERS}]*$`);

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
