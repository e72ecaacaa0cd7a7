/**
 * The operator commands of the image, run as the built program against a real database: the first
 * platform admin is created from a password on standard input, can log in and is audited; a
 * repeat changes nothing; a password is never accepted on the command line; a platform admin is
 * deactivated (their sessions end, the API refuses their token within 10 s: the CLI is another
 * process) and reactivated by e-mail, the last active one never; migrations report; the one-off
 * back-fill makes the missing policy schedules once.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Op } from 'sequelize';
import { AuditEvent, PolicyDocument, User } from '../../src/models';
import { withoutSessionEvents } from '../support/audit-events';
import { AUTHORITY_TTL_MS } from '../../src/services/authority';
import { TEST_JWT_SECRET } from '../support/config';
import { buildSubscription, buildTenant, buildUser, TEST_PASSWORD } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

const ADMIN_JS = path.resolve(__dirname, '../../dist/scripts/admin.js');

describe('admin command', () => {
  const stack = testStackOfBlock();

  /** Runs `node dist/scripts/admin.js …` with the API's environment and `stdin` on standard input. */
  function admin(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
    const { documents } = stack.config;
    return new Promise((resolve) => {
      const env = {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        DATABASE_URL: stack.db.url,
        // The API's document store (the stack's is a local directory).
        ...(documents.kind === 'local' && { DOCUMENTS_STORAGE: 'local', DOCUMENTS_DIR: documents.dir }),
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
    expect(await AuditEvent.findAll({ where: { entityId: user!.id, ...withoutSessionEvents } })).toEqual([
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

  it('deactivates a platform admin by e-mail, ending their sessions, and reactivates them; both audited as the operator', async () => {
    await buildUser({ role: 'platform_admin' });
    const robin = await buildUser({ role: 'platform_admin' });
    const tokens = (await login(robin.email, TEST_PASSWORD).expect(200)).body.tokens;
    const robinAuth = { Authorization: `Bearer ${tokens.accessToken}` };
    await stack.api.get('/api/v1/platform/admins').set(robinAuth).expect(200);

    const off = await admin(['deactivate-platform-admin', '--email', robin.email.toUpperCase()]);
    expect(off).toMatchObject({ code: 0, stdout: `platform admin ${robin.email} deactivated: every session of theirs has ended\n` });
    const deactivatedAt = Date.now();
    expect(await robin.reload()).toMatchObject({ isActive: false });
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken }).expect(401);
    await login(robin.email, TEST_PASSWORD).expect(401);
    // This API process cached robin's authority; the CLI, another process, could not tell it.
    await eventually(
      () => stack.api.get('/api/v1/platform/admins').set(robinAuth),
      (res) => res.status === 401,
      "robin's access token refused after the CLI's deactivation",
      AUTHORITY_TTL_MS + 2_000,
    );
    expect(Date.now() - deactivatedAt).toBeLessThanOrEqual(AUTHORITY_TTL_MS + 1_000);
    const again = await admin(['deactivate-platform-admin', '--email', robin.email]);
    expect(again).toMatchObject({ code: 2, stderr: expect.stringContaining('inactive already') });

    const on = await admin(['reactivate-platform-admin', '--email', robin.email]);
    expect(on).toMatchObject({ code: 0, stdout: `platform admin ${robin.email} reactivated\n` });
    await login(robin.email, TEST_PASSWORD).expect(200);
    const twice = await admin(['reactivate-platform-admin', '--email', robin.email]);
    expect(twice).toMatchObject({ code: 2, stderr: expect.stringContaining('active already') });

    const events = await AuditEvent.findAll({ where: { entityId: robin.id, ...withoutSessionEvents }, order: [['occurredAt', 'ASC']] });
    expect(events.map((event) => event.toJSON())).toEqual([
      expect.objectContaining({ action: 'user.deactivate', actor: { type: 'system', id: null }, tenantId: null }),
      expect.objectContaining({ action: 'user.activate', actor: { type: 'system', id: null }, tenantId: null }),
    ]);
  });

  it('refuses to deactivate the last active platform admin, or an address that is no platform admin, with exit code 2', async () => {
    const last = await buildUser({ role: 'platform_admin' });
    await User.update({ isActive: false }, { where: { role: 'platform_admin', id: { [Op.ne]: last.id } } });
    const refused = await admin(['deactivate-platform-admin', '--email', last.email]);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('last_platform_admin') });
    expect(await last.reload()).toMatchObject({ isActive: true });
    await login(last.email, TEST_PASSWORD).expect(200);

    const tenantUser = await buildUser({ tenantId: (await buildTenant()).id, role: 'tenant_admin' });
    const notAdmin = await admin(['deactivate-platform-admin', '--email', tenantUser.email]);
    expect(notAdmin).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a platform admin') });
    expect(await tenantUser.reload()).toMatchObject({ isActive: true });
    expect((await admin(['reactivate-platform-admin'])).code).toBe(2);
    expect(await AuditEvent.count({ where: { entityId: [last.id, tenantUser.id], ...withoutSessionEvents } })).toBe(0);
  });

  it('back-fills the schedules of policies issued before their run made them, once: run again it makes none', async () => {
    const holder = await buildUser({ role: 'policyholder' });
    // Dated without a run, as the policies issued before the runs stored version 1's schedule.
    const policy = await buildSubscription({ policyholderId: holder.id, status: 'pending' });
    await policy.update({ status: 'active', startDate: '2026-03-01', endDate: '2027-03-01' });
    expect(await PolicyDocument.count({ where: { subscriptionId: policy.id } })).toBe(0);

    const first = await admin(['backfill-schedules']);
    expect(first).toMatchObject({ code: 0, stdout: 'schedules made for 1 policy\n' });
    const [schedule] = await PolicyDocument.findAll({ where: { subscriptionId: policy.id } });
    expect(schedule).toMatchObject({ kind: 'schedule', contentType: 'application/pdf' });
    const chunks: Buffer[] = [];
    for await (const chunk of await stack.services.documents.read(schedule.storageKey)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).subarray(0, 5).toString()).toBe('%PDF-');

    expect(await admin(['backfill-schedules'])).toMatchObject({ code: 0, stdout: 'schedules made for 0 policies\n' });
    expect((await PolicyDocument.findAll({ where: { subscriptionId: policy.id } })).map((document) => document.id)).toEqual([schedule.id]);
    expect(await admin(['backfill-schedules', '--all'])).toMatchObject({ code: 2, stderr: 'backfill-schedules takes no options\n' });
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
