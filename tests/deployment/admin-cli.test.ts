/**
 * The operator commands of the image, run as the built program against a real database: the first
 * platform admin is created from a password on standard input, can log in and is audited; a
 * repeat changes nothing; a password is never accepted on the command line; migrations report.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditEvent, User } from '../../src/models';
import { TEST_JWT_SECRET } from '../support/config';
import { buildTenant, buildUser } from '../support/factories';
import { startTestStack, type TestStack } from '../support/stack';

const ADMIN_JS = path.resolve(__dirname, '../../dist/scripts/admin.js');

describe('admin command', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.close());

  /** Runs `node dist/scripts/admin.js …` with the API's environment and `stdin` on standard input. */
  function admin(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const env = {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        DATABASE_URL: stack.db.url,
        JWT_SECRET: TEST_JWT_SECRET.repeat(2),
        PASSWORD_HASH_MEMORY_KIB: '1024',
        PASSWORD_HASH_TIME_COST: '1',
      };
      const child = execFile(process.execPath, [ADMIN_JS, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
      child.stdin!.end(stdin);
    });
  }

  const login = (email: string, password: string) => stack.api.post('/api/v1/auth/login').send({ email, password });

  it('creates the first platform admin from standard input; the account logs in and is audited; a repeat changes nothing', async () => {
    const email = 'ops@example.test';
    const created = await admin(['create-platform-admin', '--email', email, '--full-name', 'Ops Lead'], 'Sturdy-Password-9\n');
    expect(created).toMatchObject({ code: 0, stdout: `platform admin ${email} created\n` });
    const user = await User.findOne({ where: { email } });
    expect(user).toMatchObject({ role: 'platform_admin', tenantId: null, fullName: 'Ops Lead', isActive: true });
    const res = await login(email, 'Sturdy-Password-9').expect(200);
    expect(res.body.user).toMatchObject({ email, role: 'platform_admin' });
    expect(await AuditEvent.findAll({ where: { entityId: user!.id } })).toEqual([
      expect.objectContaining({ action: 'user.create', actorType: 'system', tenantId: null }),
    ]);

    const again = await admin(['create-platform-admin', '--email', email], 'Another-Password-8\n');
    expect(again).toMatchObject({ code: 0, stdout: `platform admin ${email} already exists: nothing changed\n` });
    expect(await User.count({ where: { email } })).toBe(1);
    await login(email, 'Another-Password-8').expect(401);
  });

  it('reads the password from a file too', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'admin-cli-')), 'password');
    fs.writeFileSync(file, 'File-Password-7', { mode: 0o600 });
    const created = await admin(['create-platform-admin', '--email', 'second@example.test', '--password-file', file]);
    expect(created.code).toBe(0);
    await login('second@example.test', 'File-Password-7').expect(200);
  });

  it.each([
    [['create-platform-admin', '--email', 'cli@example.test', '--password', 'Visible-Password-1'], '', 'never taken from the command line'],
    [['create-platform-admin', '--email', 'weak@example.test'], 'short\n', 'password'],
    [['create-platform-admin', '--email', 'letters@example.test'], 'OnlyLettersHere\n', 'a letter and a digit'],
    [['create-platform-admin', '--email', 'not-an-address'], 'Sturdy-Password-9\n', '--email'],
    [['drop-everything'], '', 'usage'],
  ])('refuses %j with exit code 2, a clear message and no account', async (args, stdin, message) => {
    const users = await User.count();
    const result = await admin(args, stdin);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('Visible-Password-1');
    expect(result.stderr).not.toContain('OnlyLettersHere');
    expect(await User.count()).toBe(users);
  });

  it('refuses to turn an existing tenant account into a platform admin', async () => {
    const tenantUser = await buildUser({ tenantId: (await buildTenant()).id, role: 'tenant_admin' });
    const refused = await admin(['create-platform-admin', '--email', tenantUser.email], 'Sturdy-Password-9\n');
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('already a tenant_admin account') });
    expect(await tenantUser.reload()).toMatchObject({ role: 'tenant_admin', tenantId: tenantUser.tenantId });
  });

  it('lists executed and pending migrations through umzug', async () => {
    const executed = await admin(['migrate', 'executed']);
    expect(executed.code).toBe(0);
    expect(executed.stdout).toContain('0001');
    const pending = await admin(['migrate', 'pending']);
    expect(pending.code).toBe(0);
    expect(pending.stdout).not.toContain('0001');
  });
});
