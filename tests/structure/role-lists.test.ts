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
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from '../support/source-program';

const ALLOWED = [/^src\/access\//, /^src\/shared\/roles\.ts$/, /^src\/models\/migrations\//];

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

  it('no file outside src/access decides by role', () => {
    expect(checked.length).toBeGreaterThan(300);
    expect(checked.flatMap((file) => roleChecksOf(file, read(file)))).toEqual([]);
  });

  it('the converted model, the claims routes and their GraphQL fields, name verbs', () => {
    const claims = checked.filter((file) => file.startsWith('src/api/claims/') || file === 'src/api/graphql/schema/claims.ts');
    expect(claims.length).toBeGreaterThanOrEqual(6);
    expect(claims.flatMap((file) => roleChecksOf(file, read(file)))).toEqual([]);
  });

  describe('catches each way of deciding by role', () => {
    const planted: [string, string][] = [
      ["route({ roles: ['tenant_admin'], path: '/x' });", 'a role list under `roles`'],
      ['const PAYMENT_ROLES = 1;', 'a named role list'],
      ["const payers: Role[] = ['claims_manager'];", 'roles typed as such'],
      ["const payers = ['claims_manager'] as Role[];", 'roles typed as such'],
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
