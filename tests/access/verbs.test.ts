/**
 * The verb tables of src/access/verbs are merged into one (`VERBS` in its index): a verb named in
 * two tables would silently take the later table's roles, so each name is defined once; and each
 * verb names at least one role, each a role that exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROLES } from '../../src/shared/roles';

const VERBS_DIR = path.join(__dirname, '..', '..', 'src', 'access', 'verbs');

/** Every verb table (verb → roles) exported by a module of the folder, with the module it came from. */
function verbTables(): { module: string; table: Record<string, readonly string[]> }[] {
  return fs
    .readdirSync(VERBS_DIR)
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
    .flatMap((file) =>
      Object.entries(jest.requireActual<Record<string, unknown>>(path.join(VERBS_DIR, file)))
        .filter(([, value]) => Object.values(value as object).every(Array.isArray))
        .map(([, table]) => ({ module: file, table: table as Record<string, readonly string[]> })),
    );
}

describe('access verbs', () => {
  it('each verb is defined in one table only', () => {
    const definedIn = new Map<string, string[]>();
    for (const { module, table } of verbTables()) {
      for (const verb of Object.keys(table)) definedIn.set(verb, [...(definedIn.get(verb) ?? []), module]);
    }
    expect(definedIn.size).toBeGreaterThan(50);
    expect([...definedIn].filter(([, modules]) => modules.length > 1)).toEqual([]);
  });

  it('each verb names at least one role, and only roles that exist', () => {
    const known = new Set<string>(ROLES);
    const wrong = verbTables().flatMap(({ module, table }) =>
      Object.entries(table)
        .filter(([, roles]) => roles.length === 0 || roles.some((role) => !known.has(role)))
        .map(([verb, roles]) => `${module}: ${verb} [${roles.join(', ')}]`),
    );
    expect(wrong).toEqual([]);
  });
});
