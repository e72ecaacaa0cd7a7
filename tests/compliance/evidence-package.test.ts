/**
 * The evidence package of a policy version, through the API with a real worker: two people
 * acknowledge a published version with evidence; the ZIP's files match its manifest, the manifest
 * is signed with the tenant's published Ed25519 key, and the offline check of docs/compliance.md
 * (openssl and sha256sum, run here as an auditor would) passes, and fails once a byte changes.
 * Another tenant gets 404, a policyholder 403, and the package holds nothing of another version
 * or tenant.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Acknowledgement, AuditEvent, User } from '../../src/models';
import { bearer, buildAcknowledgement, buildPolicyVersion, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { resultOf } from '../support/waiting';
import { binaryBody, unzip } from '../support/zip';
import { approveThroughReview } from './review';

const CONTENT = 'Declare every gift worth more than 50 EUR within 5 days.\nÜbergaben: ja.';
const sha256 = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** The offline check, as docs/compliance.md gives it, run in the folder the package was unzipped into. */
const OFFLINE_CHECK = `set -e
openssl base64 -d -A -in manifest.sig -out manifest.sig.bin
openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig.bin
openssl base64 -d -A -in SHA256SUMS.sig -out SHA256SUMS.sig.bin
openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig.bin
sha256sum --strict -c SHA256SUMS`;

const lines = <Line>(file: Buffer | undefined): Line[] =>
  file!
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line);

function offlineCheck(files: Map<string, Buffer>): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
  try {
    for (const [name, data] of files) fs.writeFileSync(path.join(dir, name), data);
    const run = spawnSync('bash', ['-c', OFFLINE_CHECK], { cwd: dir, encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('evidence package of a policy version', () => {
  const stack = testStackOfBlock({ worker: true });
  let officer: User;
  let admin: User;
  let employees: User[];
  let policyId: string;
  let versionId: string;
  let files: Map<string, Buffer>;
  let unrelated: string[];

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const download = (user: User, id = versionId) =>
    stack.api.get(`/api/v1/compliance/versions/${id}/evidence`).set(as(user)).buffer(true).parse(binaryBody);

  beforeAll(async () => {
    const tenant = await buildTenant();
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    employees = [
      await buildUser({ tenantId: tenant.id, role: 'claims_agent', fullName: 'Ada Employee' }),
      await buildUser({ tenantId: tenant.id, role: 'claims_agent', fullName: 'Bo Employee' }),
    ];
    policyId = (await stack.api.post('/api/v1/compliance/policies').set(as(officer)).send({ title: 'Gifts' })).body.id;
    versionId = (
      await stack.api
        .post(`/api/v1/compliance/policies/${policyId}/versions`)
        .set(as(officer))
        .send({ content: CONTENT, audienceRoles: ['claims_agent'] })
    ).body.id;
    await approveThroughReview(stack, versionId, officer, admin);
    const published = await stack.api.post(`/api/v1/compliance/versions/${versionId}/publish`).set(as(officer));
    expect(published.status).toBe(202);
    await resultOf(stack.temporal.workflow.getHandle(published.body.workflowId));
    for (const [i, employee] of employees.entries()) {
      // Each run open (its notice sent) before its employee acknowledges.
      await stack.smtp.waitFor((m) => m.to.includes(employee.email) && m.subject.startsWith('New policy'));
      const ack = (await Acknowledgement.findOne({ where: { versionId, employeeId: employee.id } }))!;
      const done = await stack.api
        .post(`/api/v1/acknowledgements/${ack.id}/acknowledge`)
        .set(as(employee))
        .set('User-Agent', `EvidenceBrowser/${i + 1}`)
        .send({ contentSha256: sha256(CONTENT), fullName: employee.fullName });
      expect(done.status).toBe(200);
    }

    // What must stay out: another version of the tenant, with an acknowledgement of Ada's, and another tenant's.
    const otherVersion = await buildPolicyVersion({ tenantId: tenant.id, createdById: officer.id, status: 'published' });
    const otherAck = await buildAcknowledgement({ versionId: otherVersion.id, employeeId: employees[0].id, typedName: 'Ada Elsewhere' });
    const foreign = await buildAcknowledgement({ typedName: 'Foreign Person' });
    unrelated = [otherVersion.id, otherVersion.policyId, otherAck.id, foreign.id, foreign.versionId, foreign.tenantId];
  });

  it('answers a ZIP whose files match the signed manifest, with the text, approvals, audience, acknowledgements and audit slice', async () => {
    const res = await download(officer);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(new RegExp(`attachment; filename="evidence-v1-${versionId}-\\d{8}T\\d{6}Z\\.zip"`));
    expect(res.headers['cache-control']).toBe('private, no-store');
    files = await unzip(res.body as Buffer);

    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest).toMatchObject({
      format: 'insurflow-evidence-package/1',
      tenant: { id: officer.tenantId },
      version: { id: versionId, versionNumber: 1, contentSha256: sha256(CONTENT) },
      generatedBy: { id: officer.id },
      signature: { algorithm: 'Ed25519', publicKeyFile: 'public-key.pem' },
    });
    const listed = manifest.files.map((f: { name: string }) => f.name);
    expect(listed).toEqual([
      'policy.json',
      'version.json',
      'version-content.txt',
      'approvals.json',
      'audience.json',
      'acknowledgements.jsonl',
      'audience-changes.jsonl',
      'notifications.jsonl',
      'escalation-alerts.jsonl',
      'audit-events.jsonl',
      'SHA256SUMS',
    ]);
    expect([...files.keys()].sort()).toEqual([...listed, 'manifest.json', 'manifest.sig', 'SHA256SUMS.sig', 'public-key.pem'].sort());
    for (const entry of manifest.files) {
      expect(sha256(files.get(entry.name)!)).toBe(entry.sha256);
      expect(files.get(entry.name)!.length).toBe(entry.bytes);
    }

    // The signature, with the key the tenant publishes (and the package carries).
    const key = await stack.api.get('/api/v1/compliance/signing-key').set(as(admin));
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({
      tenantId: officer.tenantId,
      algorithm: 'Ed25519',
      fingerprint: manifest.signature.publicKeyFingerprint,
    });
    expect(files.get('public-key.pem')!.toString('utf8')).toBe(key.body.publicKeyPem);
    const signature = Buffer.from(files.get('manifest.sig')!.toString('utf8'), 'base64');
    expect(crypto.verify(null, files.get('manifest.json')!, key.body.publicKeyPem, signature)).toBe(true);
    expect(crypto.verify(null, Buffer.from('{}'), key.body.publicKeyPem, signature)).toBe(false);

    // The text as stored, and its hash.
    expect(files.get('version-content.txt')!.toString('utf8')).toBe(CONTENT);
    expect(JSON.parse(files.get('version.json')!.toString('utf8'))).toMatchObject({
      id: versionId,
      status: 'published',
      contentSha256: sha256(CONTENT),
    });

    // Maker-checker: the author and submitter (the officer), the approver (the admin), the review's audit trail.
    const approvals = JSON.parse(files.get('approvals.json')!.toString('utf8'));
    expect(approvals).toMatchObject({
      author: { id: officer.id },
      lastReview: { submittedBy: { id: officer.id }, reviewedBy: { id: admin.id, fullName: admin.fullName } },
      publishedBy: { id: officer.id },
    });
    expect(approvals.history.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['policy_version.create', 'policy_version.submit', 'policy_version.approve', 'policy_version.publish']),
    );

    const audience = JSON.parse(files.get('audience.json')!.toString('utf8'));
    expect(audience).toMatchObject({ rule: { roles: ['claims_agent'] }, cycles: [{ cycle: 1, total: 2, atStart: 2, acknowledged: 2 }] });

    const acks = lines<{ employee: { id: string }; evidence: { clientAddress: string }; acknowledgedAt: string }>(
      files.get('acknowledgements.jsonl'),
    );
    expect(acks).toHaveLength(2);
    for (const [i, employee] of employees.entries())
      expect(acks.find((a) => a.employee.id === employee.id)).toMatchObject({
        status: 'acknowledged',
        addedBy: 'rollout',
        employee: { fullName: employee.fullName, email: employee.email },
        evidence: { contentSha256: sha256(CONTENT), userAgent: `EvidenceBrowser/${i + 1}`, typedName: employee.fullName },
      });
    expect(acks[0].evidence.clientAddress).toMatch(/127\.0\.0\.1$/);
    expect(acks[0].acknowledgedAt).toEqual(expect.any(String));

    // The notices sent (the bodies, which carry signed links, are left out); the review's e-mails too.
    const sent = lines<{ key: string; source: string }>(files.get('notifications.jsonl'));
    expect(sent.filter((n) => n.key.endsWith(':notice'))).toHaveLength(2);
    expect(sent.some((n) => n.source === 'review')).toBe(true);
    expect(sent.every((n) => !('body' in n))).toBe(true);
    expect(lines(files.get('escalation-alerts.jsonl'))).toEqual([]);

    const audit = lines<{ action: string; tenantId: string }>(files.get('audit-events.jsonl'));
    const actions = audit.map((e) => e.action);
    expect(actions.filter((a) => a === 'acknowledgement.acknowledge')).toHaveLength(2);
    expect(actions).toEqual(expect.arrayContaining(['compliance_policy.create', 'policy_version.publish', 'compliance.evidence_export']));
    expect(audit.every((e) => e.tenantId === officer.tenantId)).toBe(true);

    // Nothing of another version or tenant, in any file.
    const everything = [...files.values()].map((f) => f.toString('utf8')).join('\n');
    for (const id of unrelated) expect(everything).not.toContain(id);
    expect(everything).not.toMatch(/Ada Elsewhere|Foreign Person/);

    // The export is on record.
    expect(await AuditEvent.count({ where: { action: 'compliance.evidence_export', entityId: versionId, actorId: officer.id } })).toBe(1);
  });

  it('passes the documented offline check (openssl, sha256sum), which fails once one byte of a file or the manifest changes', () => {
    expect(execFileSync('openssl', ['version'], { encoding: 'utf8' })).toMatch(/^OpenSSL [3-9]\./);
    const passed = offlineCheck(files);
    expect(passed.output).toContain('Signature Verified Successfully');
    expect(passed.output).toContain('acknowledgements.jsonl: OK');
    expect(passed.status).toBe(0);

    const flip = (data: Buffer, at: number) => {
      const copy = Buffer.from(data);
      copy[at] ^= 0x01;
      return copy;
    };
    const ackFile = files.get('acknowledgements.jsonl')!;
    const changedFile = offlineCheck(new Map([...files, ['acknowledgements.jsonl', flip(ackFile, ackFile.indexOf('Ada'))]]));
    expect(changedFile.status).not.toBe(0);
    expect(changedFile.output).toContain('acknowledgements.jsonl: FAILED');

    const manifest = files.get('manifest.json')!;
    const changedManifest = offlineCheck(new Map([...files, ['manifest.json', flip(manifest, manifest.indexOf('"bytes"') + 10)]]));
    expect(changedManifest.status).not.toBe(0);
    expect(changedManifest.output).toMatch(/Signature Verification Failure/);

    // A checksum list rewritten to match a changed file no longer carries the tenant's signature.
    const forged = new Map(files);
    const changed = flip(ackFile, ackFile.indexOf('Ada'));
    forged.set('acknowledgements.jsonl', changed);
    forged.set('SHA256SUMS', Buffer.from(files.get('SHA256SUMS')!.toString('utf8').replace(sha256(ackFile), sha256(changed))));
    const forgedCheck = offlineCheck(forged);
    expect(forgedCheck.status).not.toBe(0);
    expect(forgedCheck.output).toMatch(/Signature Verification Failure/);
  });

  it('verifies with the documented node one-liner too', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-node-'));
    try {
      for (const [name, data] of files) fs.writeFileSync(path.join(dir, name), data);
      const out = execFileSync('node', ['-e', NODE_CHECK], { cwd: dir, encoding: 'utf8' });
      expect(out).toContain('package OK');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is for the tenant compliance roles: another tenant 404, a policyholder 403, an unpublished version 409; one key per tenant', async () => {
    const stranger = await buildUser({ tenantId: (await buildTenant()).id, role: 'compliance_officer' });
    expect((await download(stranger)).status).toBe(404);
    const policyholder = await buildUser({ tenantId: officer.tenantId, role: 'policyholder' });
    expect((await download(policyholder)).status).toBe(403);
    expect((await stack.api.get('/api/v1/compliance/signing-key').set(as(policyholder))).status).toBe(403);
    const adminDownload = await download(admin);
    expect(adminDownload.status).toBe(200);

    const draft = await stack.api.post(`/api/v1/compliance/policies/${policyId}/versions`).set(as(officer)).send({ content: 'Draft.' });
    const refused = await download(officer, draft.body.id);
    expect(refused.status).toBe(409);

    const mine = await stack.api.get('/api/v1/compliance/signing-key').set(as(officer));
    const theirs = await stack.api.get('/api/v1/compliance/signing-key').set(as(stranger));
    expect(theirs.body.tenantId).toBe(stranger.tenantId);
    expect(theirs.body.fingerprint).not.toBe(mine.body.fingerprint);
    // Stored sealed: the private key is not in the row in clear.
    const [row] = await Acknowledgement.sequelize!.query<{ sealed: string }>(
      'SELECT private_key_sealed AS sealed FROM tenant_signing_keys WHERE tenant_id = :tenantId',
      { replacements: { tenantId: officer.tenantId }, type: 'SELECT' as never },
    );
    expect(row.sealed).toMatch(/^v1\./);
    expect(row.sealed).not.toContain('PRIVATE KEY');
  });
});

/** The node check as docs/compliance.md gives it: the script between `node -e '` and its closing quote, read from the document. */
const NODE_CHECK = /^node -e '\n([^']*)'$/m.exec(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'compliance.md'), 'utf8'))![1];
