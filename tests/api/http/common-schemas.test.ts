/**
 * The text rules every request shares (src/api/http/common-schemas.ts): what a one-line and a
 * multi-line text keep and refuse, and that the OpenAPI document states the same rule, since the
 * contract run generates requests from it.
 */
import { multiLineText, oneLineText } from '../../../src/api/http/common-schemas';
import { fileClaimBody } from '../../../src/api/claims/schemas';
import { createUserBody } from '../../../src/api/users/schemas';
import { requestSchemaOf } from '../../../src/api/openapi/request-schema';

const text = multiLineText(500);

/** Each control character a multi-line text refuses, by name. */
const REFUSED = {
  BEL: 'ring\u0007',
  ESC: 'red \u001b[31malert',
  backspace: 'over\u0008written',
  'vertical tab': 'a\u000bb',
  'form feed': 'a\u000cb',
  DEL: 'a\u007fb',
  'C1 next line': 'a\u0085b',
  'C1 control sequence introducer': 'a\u009b31m',
  'line separator': 'a\u2028b',
  'paragraph separator': 'a\u2029b',
};

describe('multiLineText', () => {
  it('keeps line feeds, carriage returns, tabs and any printable character, emoji included', () => {
    const typed = 'Burst pipe:\r\n\t- kitchen flooded\n\t- Zoë’s parquet 😀 ٣ 漢字';
    expect(text.validate(typed)).toEqual({ value: typed });
    expect(text.validate('  trimmed \n').value).toBe('trimmed');
  });

  it.each(Object.entries(REFUSED))('refuses %s', (_name, value) => {
    expect(text.validate(value).error?.details[0].type).toBe('string.pattern.name');
  });

  it('keeps its length bounds', () => {
    expect(text.validate('   ').error?.details[0].type).toBe('string.empty');
    expect(text.validate('x'.repeat(501)).error?.details[0].type).toBe('string.max');
  });

  it('is stated in the OpenAPI document as a pattern that says the same, with the bounds', () => {
    const description = (requestSchemaOf(fileClaimBody) as { properties: Record<string, { pattern: string; maxLength: number }> })
      .properties.description;
    expect(description.maxLength).toBe(5000);
    const stated = new RegExp(description.pattern);
    expect(stated.test('two\r\nlines\tand 😀')).toBe(true);
    for (const value of Object.values(REFUSED)) expect(stated.test(value)).toBe(false);
  });
});

/** The explicit direction controls a name refuses, by name: each makes a list or a mail show other text than was stored. */
const DIRECTION_CONTROLS = {
  'right-to-left override': 'invoice\u202efdp.exe',
  'left-to-right embedding': 'a\u202ab',
  'pop directional formatting': 'a\u202cb',
  'left-to-right isolate': 'a\u2066b',
  'pop directional isolate': 'a\u2069b',
};

describe('oneLineText', () => {
  const name = oneLineText(200);

  it('keeps names in any script, right-to-left ones included, and their marks and dashes', () => {
    for (const typed of ['Zoë Őrs-Łąk', 'Ελένη Παπαδοπούλου', 'Дмитрий', 'דוד לוי', 'محمد بن علي', 'Anne\u2011Marie\u00a0Dupont'])
      expect(name.validate(typed)).toEqual({ value: typed });
  });

  it.each(Object.entries(DIRECTION_CONTROLS))('refuses a %s', (_name, value) => {
    expect(name.validate(value).error?.details[0].type).toBe('string.pattern.name');
  });

  it('refuses a name of nothing that shows, or with a byte order mark, and keeps a joiner inside one that does', () => {
    for (const unseen of ['\u200b', '\u200b\u200c\u2060', '\u00ad', '\u3164', '\u115f\u1160', 'a\ufeffb', '\ufeff'])
      expect(name.validate(unseen).error?.details[0].type).toMatch(/^string\.(pattern\.name|empty)$/);
    for (const typed of ['مهر\u200cنوش', 'a', '7', '…', '\u3000名\u3000']) expect(name.validate(typed).error).toBeUndefined();
  });

  it('is stated in the OpenAPI document as a pattern that says the same', () => {
    const fullName = (requestSchemaOf(createUserBody) as { properties: Record<string, { pattern: string }> }).properties.fullName;
    const stated = new RegExp(fullName.pattern);
    expect(stated.test('דוד לוי')).toBe(true);
    for (const value of [...Object.values(DIRECTION_CONTROLS), 'two\nlines', 'a\u2028b', '\u200b']) expect(stated.test(value)).toBe(false);
  });
});
