/**
 * The mail layout the API fills (src/services/notifications/layout-html.ts) is what MJML compiles
 * from its source (scripts/mail-layout.ts) today: a change to the source without regenerating, or
 * an MJML that compiles it differently, fails here.
 */
import { compiledLayout } from '../../scripts/mail-layout';
import { LAYOUT_HTML } from '../../src/services/notifications/layout-html';

describe('the compiled mail layout', () => {
  it('is what its MJML source compiles to', async () => {
    // On a difference, regenerate it as scripts/mail-layout.ts says.
    expect(LAYOUT_HTML).toEqual(await compiledLayout());
  });

  it('keeps the slots and the colour stand-in the API fills', () => {
    for (const html of [LAYOUT_HTML.withAction, LAYOUT_HTML.withoutAction]) {
      for (const slot of ['%%SUBJECT%%', '%%HEADER%%', '%%CONTENT%%', '#010203']) expect(html).toContain(slot);
    }
    expect(LAYOUT_HTML.withAction).toContain('href="%%HREF%%"');
    expect(LAYOUT_HTML.withoutAction).not.toContain('%%HREF%%');
  });
});
