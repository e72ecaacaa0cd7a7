/**
 * Evidence of an acknowledgement, through the API with a real worker: the hash of the text shown,
 * the client and the name typed are recorded and reported (JSON and CSV); bad evidence changes
 * nothing; the text of a published version never changes (409, and the database refuses it too).
 */
import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { Acknowledgement, PolicyVersion, User } from '../../src/models';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { resultOf, waitUntil } from '../support/waiting';
import { approveThroughReview } from './review';

const CONTENT = 'Report every gift worth more than 50 EUR.';
const sha256 = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

describe('acknowledgement evidence', () => {
  const stack = testStackOfBlock({ worker: true });
  let officer: User;
  let reviewer: User;
  let employee: User;
  let versionId: string;
  let policyId: string;
  let ack: Acknowledgement;

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const acknowledge = (body: object, userAgent = 'EvidenceTest/1.0 (+https://example.test)') =>
    stack.api.post(`/api/v1/acknowledgements/${ack.id}/acknowledge`).set(as(employee)).set('User-Agent', userAgent).send(body);

  beforeAll(async () => {
    const tenant = await buildTenant();
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    reviewer = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    employee = await buildUser({ tenantId: tenant.id, role: 'claims_agent', fullName: 'Ada Employee' });
    const policy = await stack.api.post('/api/v1/compliance/policies').set(as(officer)).send({ title: 'Gifts' });
    policyId = policy.body.id;
    const version = await stack.api
      .post(`/api/v1/compliance/policies/${policyId}/versions`)
      .set(as(officer))
      .send({ content: CONTENT, audienceRoles: ['claims_agent'] });
    versionId = version.body.id;
    await approveThroughReview(stack, versionId, officer, reviewer);
    const published = await stack.api.post(`/api/v1/compliance/versions/${versionId}/publish`).set(as(officer));
    expect(published.body.version.contentSha256).toBe(sha256(CONTENT));
    await resultOf(stack.temporal.workflow.getHandle(published.body.workflowId));
    ack = (await Acknowledgement.findOne({ where: { versionId, employeeId: employee.id } }))!;
    // The run is open (its notice sent) before anyone acknowledges.
    await stack.smtp.waitFor((m) => m.to.includes(employee.email) && m.subject.startsWith('New policy'));
  });

  it('shows the employee the text with its hash, and refuses evidence that does not match or is malformed, changing nothing', async () => {
    const mine = await stack.api.get('/api/v1/acknowledgements').set(as(employee));
    expect(mine.body.items[0].version).toMatchObject({ content: CONTENT, contentSha256: sha256(CONTENT) });

    const otherText = await acknowledge({ contentSha256: sha256(`${CONTENT} (edited)`) });
    expect(otherText.status).toBe(409);
    expect(otherText.body.error.details).toEqual([expect.objectContaining({ field: 'contentSha256' })]);
    // The typed name is the evidence's signature, shown in the report and its CSV: one line of printable text.
    const signedNames = [{ fullName: 'Ada\nEmployee' }, { fullName: 'Ada\u0007Employee' }];
    for (const bad of [
      { fullName: 'x'.repeat(201) },
      { fullName: '   ' },
      ...signedNames,
      { contentSha256: 'not-a-hash' },
      { signature: 'extra' },
    ]) {
      const refused = await acknowledge(bad);
      expect([refused.status, refused.body.error.code]).toEqual([400, 'validation_failed']);
    }
    expect(await ack.reload()).toMatchObject({ status: 'pending', acknowledgedAt: null, contentSha256: null, typedName: null });
  });

  it('records the hash of the text, the client address, the user agent and the name typed; the report and its CSV show them', async () => {
    const done = await acknowledge({ contentSha256: sha256(CONTENT), fullName: '  Ada Employee ' });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('acknowledged');
    await ack.reload();
    expect(ack).toMatchObject({
      status: 'acknowledged',
      contentSha256: sha256(CONTENT),
      userAgent: 'EvidenceTest/1.0 (+https://example.test)',
      typedName: 'Ada Employee',
    });
    expect(ack.clientAddress).toMatch(/127\.0\.0\.1$/);

    const report = await stack.api.get(`/api/v1/compliance/versions/${versionId}/report`).set(as(officer));
    expect(report.body.items[0]).toMatchObject({
      status: 'acknowledged',
      evidence: { contentSha256: sha256(CONTENT), clientAddress: ack.clientAddress, userAgent: ack.userAgent, typedName: 'Ada Employee' },
    });
    const csv = await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?format=csv`).set(as(officer));
    const [row] = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(row).toMatchObject({
      status: 'acknowledged',
      'text sha-256': sha256(CONTENT),
      'client address': ack.clientAddress,
      'user agent': 'EvidenceTest/1.0 (+https://example.test)',
      'name typed': 'Ada Employee',
    });
  });

  it('a user agent that starts like a formula reaches the CSV neutralised; without a name typed the cell is empty', async () => {
    const other = await buildUser({ tenantId: employee.tenantId, role: 'claims_agent' });
    expect(
      (await stack.api.patch(`/api/v1/users/${other.id}`).set(as(reviewer)).send({ role: 'claims_agent', fullName: 'Bo Other' })).status,
    ).toBe(200);
    const row = await Acknowledgement.findOne({ where: { versionId, employeeId: other.id } });
    // Not a member change: a name change creates nothing; the rollout had made Bo's acknowledgement.
    expect(row).not.toBeNull();
    await waitUntil(() => stack.smtp.messages.some((m) => m.to.includes(other.email) && m.subject.startsWith('New policy')), 'the notice');
    const done = await stack.api
      .post(`/api/v1/acknowledgements/${row!.id}/acknowledge`)
      .set(as(other))
      .set('User-Agent', '=HYPERLINK("http://evil.test")');
    expect(done.status).toBe(200);
    const csv = await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?format=csv`).set(as(officer));
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.find((r) => r['e-mail'] === other.email)).toMatchObject({
      'user agent': `'=HYPERLINK("http://evil.test")`,
      'name typed': '',
    });
  });

  it('never changes the text of a published version: 409 through the API, refused by the database; a draft may change', async () => {
    const refused = await stack.api.patch(`/api/v1/compliance/versions/${versionId}`).set(as(officer)).send({ content: 'Gifts are fine.' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual([{ field: 'status', message: 'is published' }]);
    await expect(PolicyVersion.update({ content: 'Gifts are fine.' }, { where: { id: versionId } })).rejects.toThrow(
      'the content of a published policy version cannot change',
    );
    expect((await PolicyVersion.findByPk(versionId))!.content).toBe(CONTENT);

    const draft = await stack.api.post(`/api/v1/compliance/policies/${policyId}/versions`).set(as(officer)).send({ content: 'Draft.' });
    const edited = await stack.api
      .patch(`/api/v1/compliance/versions/${draft.body.id}`)
      .set(as(officer))
      .send({ content: 'Draft, edited.', deadlineDays: 7 });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ content: 'Draft, edited.', deadlineDays: 7, status: 'draft', contentSha256: null });
    const empty = await stack.api.patch(`/api/v1/compliance/versions/${draft.body.id}`).set(as(officer)).send({});
    expect(empty.status).toBe(400);
    const byEmployee = await stack.api.patch(`/api/v1/compliance/versions/${draft.body.id}`).set(as(employee)).send({ content: 'Mine.' });
    expect(byEmployee.status).toBe(403);
    const otherTenant = await buildUser({ tenantId: (await buildTenant()).id, role: 'compliance_officer' });
    const notTheirs = await stack.api.patch(`/api/v1/compliance/versions/${draft.body.id}`).set(as(otherTenant)).send({ content: 'Ours.' });
    expect(notTheirs.status).toBe(404);
    expect((await PolicyVersion.findByPk(draft.body.id))!.content).toBe('Draft, edited.');
  });
});
