import { parse } from 'csv-parse/sync';
import type { Tenant, User } from '../../src/models';
import { neutraliseFormula } from '../../src/services/csv';
import {
  bearer,
  buildAcknowledgement,
  buildAcknowledgements,
  buildPolicyVersion,
  buildTenant,
  buildUser,
  buildUsers,
} from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('compliance report as CSV', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let officer: User;
  let manager: User;
  let versionId: string;
  let versionNumber: number;
  const dueAt = new Date('2027-03-01T12:00:00.000Z');
  const acknowledgedAt = new Date('2027-02-10T08:30:00.000Z');

  beforeAll(async () => {
    tenant = await buildTenant();
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer', fullName: 'Olivia Officer' });
    manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager', fullName: 'Mona "The Boss" Manager' });
    const version = await buildPolicyVersion({ createdById: officer.id, status: 'published', dueAt });
    versionId = version.id;
    versionNumber = version.versionNumber;
    const employees = [
      await buildUser({ tenantId: tenant.id, role: 'adjuster', fullName: 'Zoë Dupont, Jr.', managerId: manager.id }),
      await buildUser({
        tenantId: tenant.id,
        role: 'claims_agent',
        fullName: '=HYPERLINK("http://evil.example","click")',
        managerId: manager.id,
      }),
      await buildUser({ tenantId: tenant.id, role: 'adjuster', fullName: '@SUM(A1:A9)', email: `-lead-${Date.now()}@example.test` }),
      await buildUser({ tenantId: tenant.id, role: 'senior_adjuster', fullName: 'Line\nBreak' }),
    ];
    const rows = [];
    for (const employee of employees) rows.push(await buildAcknowledgement({ versionId: version.id, employeeId: employee.id }));
    await rows[0].update({ status: 'acknowledged', acknowledgedAt });
    await rows[1].update({ status: 'escalated', escalationLevel: 2, remindersSent: 1 });
  });

  const asOfficer = () => ({ Authorization: bearer(stack.config, officer) });
  const parseCsv = (text: string): string[][] => parse(text, { bom: true });

  it('streams one row per employee with the listed columns, quoted correctly and with a filename', async () => {
    const res = await stack.api
      .get(`/api/v1/compliance/versions/${versionId}/report`)
      .set(asOfficer())
      .set('Accept', 'text/csv')
      .expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="compliance-report-v${versionNumber}-${versionId}.csv"`);
    expect(res.headers['cache-control']).toBe('private, no-store');

    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual([
      'name',
      'e-mail',
      'role',
      'manager',
      'status',
      'due',
      'acknowledged at',
      'reminders',
      'escalation level',
      'exempt since',
      'text sha-256',
      'client address',
      'user agent',
      'name typed',
    ]);
    expect(rows).toHaveLength(4);
    const byName = new Map(rows.map((r) => [r[0], r]));
    expect(byName.get('Zoë Dupont, Jr.')).toEqual([
      'Zoë Dupont, Jr.',
      expect.stringMatching(/^adjuster-.+@example\.test$/),
      'adjuster',
      'Mona "The Boss" Manager',
      'acknowledged',
      dueAt.toISOString(),
      acknowledgedAt.toISOString(),
      '0',
      '0',
      // Acknowledged by the factory, not through the API: no evidence recorded.
      '',
      '',
      '',
      '',
      '',
    ]);
    expect(byName.get('Line\nBreak')).toEqual(expect.arrayContaining(['senior_adjuster', 'pending', '']));
  });

  it('neutralises cells a spreadsheet would run as formulas', async () => {
    const res = await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?format=csv`).set(asOfficer()).expect(200);
    const rows = parseCsv(res.text).slice(1);
    const names = rows.map((r) => r[0]);
    expect(names).toEqual(expect.arrayContaining([`'=HYPERLINK("http://evil.example","click")`, `'@SUM(A1:A9)`]));
    expect(rows.find((r) => r[0] === `'@SUM(A1:A9)`)![1]).toMatch(/^'-lead-/);
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@]/);
    expect(['=1+1', '+1', '-1+1', '-A1', '@a', '\tx', '\r=1', 'safe', '-1', '-20.00'].map(neutraliseFormula)).toEqual([
      "'=1+1",
      "'+1",
      "'-1+1",
      "'-A1",
      "'@a",
      "'\tx",
      "'\r=1",
      'safe',
      // A negative number is no formula: kept, so the sheet sums it.
      '-1',
      '-20.00',
    ]);
  });

  it('filters by status like the JSON report, and still answers JSON by default', async () => {
    const escalated = await stack.api
      .get(`/api/v1/compliance/versions/${versionId}/report?format=csv&status=escalated`)
      .set(asOfficer())
      .expect(200);
    const rows = parseCsv(escalated.text).slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0].slice(4, 9)).toEqual(['escalated', dueAt.toISOString(), '', '1', '2']);

    const json = await stack.api.get(`/api/v1/compliance/versions/${versionId}/report`).set(asOfficer()).expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.body.counts).toMatchObject({ total: 4, acknowledged: 1, escalated: 1, pending: 2 });
    const explicit = await stack.api
      .get(`/api/v1/compliance/versions/${versionId}/report?format=json`)
      .set(asOfficer())
      .set('Accept', 'text/csv')
      .expect(200);
    expect(explicit.body.items).toHaveLength(4);
  });

  it('refuses bad formats, other roles and other tenants exactly like the JSON report', async () => {
    await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?format=xlsx`).set(asOfficer()).expect(400);
    const adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    await stack.api
      .get(`/api/v1/compliance/versions/${versionId}/report?format=csv`)
      .set('Authorization', bearer(stack.config, adjuster))
      .expect(403);
    const outsider = await buildUser({ role: 'compliance_officer' });
    const res = await stack.api
      .get(`/api/v1/compliance/versions/${versionId}/report?format=csv`)
      .set('Authorization', bearer(stack.config, outsider))
      .expect(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('streams every row of a large report across read batches, each employee once', async () => {
    const version = await buildPolicyVersion({ createdById: officer.id, status: 'published', dueAt });
    const staff = await buildUsers(1234, tenant.id, () => ({ role: 'adjuster' }));
    await buildAcknowledgements(version, staff);
    const res = await stack.api.get(`/api/v1/compliance/versions/${version.id}/report?format=csv`).set(asOfficer()).expect(200);
    const emails = parseCsv(res.text)
      .slice(1)
      .map((r) => r[1]);
    expect(emails).toHaveLength(1234);
    expect(new Set(emails).size).toBe(1234);
  });

  it('documents the CSV answer in the OpenAPI document', async () => {
    const doc = await stack.api.get('/api/openapi.json').expect(200);
    const operation = doc.body.paths['/api/v1/compliance/versions/{id}/report'].get;
    expect(Object.keys(operation.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(operation.parameters.find((p: { name: string }) => p.name === 'format').schema.enum).toEqual(['json', 'csv']);
  });
});
