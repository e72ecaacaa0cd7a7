/**
 * Who may act is said once, in src/access (docs/architecture.md, Access rules): a route, a GraphQL
 * field or a workflow validator names an access verb (`verb: 'approvePayment'`, `may(caller, verb,
 * row)`, `roleMay(role, verb)`), and the verbs' tables in src/access/verbs say which roles may do it.
 * This fails for a role list or an inline role check anywhere else in the product's code (src and
 * worker, comments left out): a list of roles (under `roles:`, named `…_ROLES`, typed `Role[]`; a
 * constant typed `Role`), a role predicate (`isStaff(`), a role compared with a role's name
 * (`.role === 'tenant_admin'`) or looked up in a list (`.includes(caller.role)`).
 *
 * Allowed: src/access itself, src/shared/roles.ts (the roles themselves) and the migrations (the
 * schema's past, never changed).
 *
 * STILL_TO_CONVERT is the work of issue #75 item 3 still to do, file by file: it only shrinks. A
 * file converted to verbs must leave it (the check fails while a listed file has no role check
 * left, or no longer exists: a moved file's entry moves with it), and the list must end empty.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from '../support/source-program';

const ALLOWED = [/^src\/access\//, /^src\/shared\/roles\.ts$/, /^src\/models\/migrations\//];

/** The files that still decide by role outside src/access (#75 item 3): remove each one as it names verbs. */
const STILL_TO_CONVERT = [
  // Left by group B (not converted by the 06:10 deadline): the four-eyes rule still names roles —
  // the authority limits by role and a waiting decision's `roles` (an answer's detail, in recorded runs).
  'src/shared/claim-authority.ts',
];

/** What counts as deciding by role, each with the words a failure reports. */
const ROLE_CHECKS: { what: string; pattern: RegExp }[] = [
  { what: 'a role list under `roles`', pattern: /\broles\??\s*:\s*\[/ },
  { what: 'a named role list', pattern: /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_ROLES\b/ },
  { what: 'roles typed as such', pattern: /:\s*(?:readonly\s+)?Role(?:\[\])?\s*=|\bas\s+(?:readonly\s+)?Role\[\]|\['roles'\]/ },
  { what: 'a role predicate', pattern: /\bis(?:Staff|PlatformAdmin|TenantAdmin|[A-Z]\w*Role)\s*\(/ },
  { what: 'a role compared', pattern: /\brole\s*[!=]==\s*["'`]|["'`]\s*[!=]==\s*[\w.?!]*\brole\b/ },
  { what: 'a role looked up in a list', pattern: /\.includes\(\s*[\w.?!]*\brole\s*\)/ },
];

/** The file's code without its comments, line by line. */
function codeLinesOf(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return ts.createPrinter({ removeComments: true }).printFile(source).split('\n');
}

/** Each role check of a file: `<file>: <what>: <line>`. */
function roleChecksOf(file: string, text: string): string[] {
  return codeLinesOf(file, text).flatMap((line) =>
    ROLE_CHECKS.filter(({ pattern }) => pattern.test(line)).map(({ what }) => `${file}: ${what}: ${line.trim()}`),
  );
}

function productFiles(): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return walk(relative);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
    });
  return [...walk('src'), ...walk('worker')];
}

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('who may act is named by an access verb, its roles in src/access', () => {
  const checked = productFiles().filter((file) => !ALLOWED.some((allowed) => allowed.test(file)));

  it('no file outside src/access decides by role, but those still to convert', () => {
    expect(checked.length).toBeGreaterThan(300);
    const found = checked.filter((file) => !STILL_TO_CONVERT.includes(file)).flatMap((file) => roleChecksOf(file, read(file)));
    expect(found).toEqual([]);
  });

  it('every file still to convert is there and still decides by role (remove it from the list once it names verbs)', () => {
    const done = STILL_TO_CONVERT.filter((file) => !fs.existsSync(path.join(ROOT, file)) || roleChecksOf(file, read(file)).length === 0);
    expect(done).toEqual([]);
  });

  it('the converted model, the claims routes and their GraphQL fields, name verbs', () => {
    const claims = checked.filter((file) => file.startsWith('src/api/claims/') || file === 'src/api/graphql/schema/claims.ts');
    expect(claims.length).toBeGreaterThanOrEqual(6);
    expect(claims.flatMap((file) => roleChecksOf(file, read(file)))).toEqual([]);
  });

  describe('catches each way of deciding by role', () => {
    const planted: [string, string][] = [
      ["route({ roles: ['tenant_admin'], path: '/x' });", 'a role list under `roles`'],
      ['const FINANCE_ROLES = 1;', 'a named role list'],
      ["const finance: Role[] = ['claims_manager'];", 'roles typed as such'],
      ["const finance = ['claims_manager'] as Role[];", 'roles typed as such'],
      ["const ISSUER: Role = 'tenant_admin';", 'roles typed as such'],
      ['if (isStaff(caller.role)) show();', 'a role predicate'],
      ["if (caller.role === 'tenant_admin') show();", 'a role compared'],
      ['if (admins.includes(caller.role)) show();', 'a role looked up in a list'],
    ];
    it.each(planted)('%s', (code, what) => {
      expect(roleChecksOf('src/api/planted.ts', code).map((line) => line.split(': ')[1])).toContain(what);
    });

    it('but not in a comment, nor a verb', () => {
      const code =
        "// caller.role === 'tenant_admin'\n/** isStaff(role) */\nroute({ verb: 'listClaims' });\nmay(caller, 'viewClaimFinancials', claim);";
      expect(roleChecksOf('src/api/planted.ts', code)).toEqual([]);
    });
  });
});
