/**
 * docs/configuration.md is generated from the configuration schema (scripts/config-doc.ts): a
 * variable added, removed or changed in src/config without regenerating the document fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { configurationDocument } from '../../scripts/config-doc';

const DOCUMENT = path.join(__dirname, '..', '..', 'docs', 'configuration.md');

describe('docs/configuration.md', () => {
  it('is what the configuration schema generates', () => {
    // On a difference: npm run build && node dist/scripts/config-doc.js > docs/configuration.md
    expect(fs.readFileSync(DOCUMENT, 'utf8')).toBe(configurationDocument());
  });

  it('documents every variable the schema reads', () => {
    const documented = fs.readFileSync(DOCUMENT, 'utf8');
    for (const name of ['DATABASE_URL', 'JWT_SECRET', 'DOCUMENTS_STORAGE', 'RECONCILER_INTERVAL', 'DB_APP_ROLE']) {
      expect(documented).toContain(`\n- \`${name}\`\n`);
    }
  });
});
