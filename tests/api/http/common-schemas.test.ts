/**
 * The text rules every request shares (src/api/http/common-schemas.ts): what a multi-line text keeps
 * and refuses, and that the OpenAPI document states the same rule, since the contract run generates
 * requests from it.
 */
import { multiLineText } from '../../../src/api/http/common-schemas';
import { fileClaimBody } from '../../../src/api/claims/schemas';
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
