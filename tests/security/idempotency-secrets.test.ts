/**
 * No secret in the idempotency store: on the real API and PostgreSQL, the answers that carry a
 * secret (the key of `POST /api-keys`, the signing secret of `POST /webhooks/endpoints` and of its
 * rotation, the download link of a privacy export) are made with an Idempotency-Key, then the
 * `idempotency_records` table is read as it is stored: the secret is nowhere in it. A repeat with
 * the same key answers the object made without its secret, or, for the link, is refused (409) and
 * makes no new link. Migration 0072 takes the secrets out of the rows an older version stored.
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { ApiKey, IdempotencyRecord, PrivacyExport, type Tenant, type User, WebhookEndpoint } from '../../src/models';
import { up as stripStoredSecrets } from '../../src/models/migrations/0072-idempotency-secrets';
import { privacyExportRun } from '../../src/contracts/privacy-export';
import { bearer, buildTenant, buildUser, TEST_PASSWORD } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('secrets and the idempotency store', () => {
  // The endpoints point at a loopback address: nothing is delivered to them in this file.
  const stack = testStackOfBlock({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
  let tenant: Tenant;
  let admin: User;

  beforeAll(async () => {
    tenant = await buildTenant();
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  });

  const asAdmin = () => ({ Authorization: bearer(stack.config, admin) });
  const keyed = (method: 'post', path: string, key: string) => stack.api[method](path).set(asAdmin()).set('Idempotency-Key', key);

  /** Every stored answer as PostgreSQL holds it (the JSONB as text), and the one row of `key`. */
  async function storedAnswers(key: string): Promise<{ all: string; row: { response_status: number; response_body: object } }> {
    const rows = await stack.db.sequelize.query<{ key: string; response_status: number; response_body: object; body_text: string }>(
      'SELECT key, response_status, response_body, response_body::text AS body_text FROM idempotency_records',
      { type: QueryTypes.SELECT },
    );
    const row = rows.find((r) => r.key === key);
    expect(row).toBeDefined();
    return { all: rows.map((r) => r.body_text).join('\n'), row: row! };
  }

  it('POST /api-keys: the key is answered once and stored nowhere; a repeat answers the key’s row without it', async () => {
    const body = {
      name: 'Ledger export',
      role: 'claims_manager',
      expiresAt: new Date(Date.now() + 30 * DAY_MS).toISOString(),
      currentPassword: TEST_PASSWORD,
    };
    const first = await keyed('post', '/api/v1/api-keys', 'api-key-secret-0001').send(body).expect(201);
    const { key, id } = first.body as { key: string; id: string };
    expect(key).toMatch(/^ifk_/);

    const stored = await storedAnswers('api-key-secret-0001');
    expect(stored.row.response_status).toBe(201);
    expect(stored.row.response_body).toMatchObject({ id, name: 'Ledger export' });
    expect(stored.row.response_body).not.toHaveProperty('key');
    // The secret is what follows `ifk_<prefix>_`: base64url, so it may itself hold or begin with `_`.
    const secret = key.replace(/^ifk_[0-9a-f]{12}_/, '');
    expect(secret).toHaveLength(43);
    expect(stored.all).not.toContain(secret);

    const repeat = await keyed('post', '/api/v1/api-keys', 'api-key-secret-0001').send(body).expect(201);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.body).toMatchObject({ id, name: 'Ledger export', role: 'claims_manager', revokedAt: null });
    expect(repeat.body).not.toHaveProperty('key');
    expect(await ApiKey.count({ where: { tenantId: tenant.id, name: 'Ledger export' } })).toBe(1);
    // The key answered the first time is the one that works.
    await stack.api
      .get('/api/v1/claims')
      .set({ Authorization: `Bearer ${key}` })
      .expect(200);
  });

  it('POST /webhooks/endpoints and …/rotate-secret: the signing secret is stored nowhere; repeats answer the endpoint without it', async () => {
    const body = { url: 'https://127.0.0.1:9/ledger', eventTypes: ['claim.stage_changed'], currentPassword: TEST_PASSWORD };
    const created = await keyed('post', '/api/v1/webhooks/endpoints', 'webhook-secret-0001').send(body).expect(201);
    const { id, secret } = created.body as { id: string; secret: string };
    expect(secret).toEqual(expect.any(String));
    let stored = await storedAnswers('webhook-secret-0001');
    expect(stored.row.response_body).toMatchObject({ id, url: body.url });
    expect(stored.row.response_body).not.toHaveProperty('secret');
    expect(stored.all).not.toContain(secret);

    const repeat = await keyed('post', '/api/v1/webhooks/endpoints', 'webhook-secret-0001').send(body).expect(201);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.body).toMatchObject({ id, url: body.url });
    expect(repeat.body).not.toHaveProperty('secret');
    expect(await WebhookEndpoint.count({ where: { tenantId: tenant.id } })).toBe(1);

    const rotatePath = `/api/v1/webhooks/endpoints/${id}/rotate-secret`;
    // Rotating asks for the admin's presence, as creating does.
    const proof = { currentPassword: TEST_PASSWORD };
    const rotated = await keyed('post', rotatePath, 'webhook-rotate-0001').send(proof).expect(200);
    const newSecret = (rotated.body as { secret: string }).secret;
    expect(newSecret).toEqual(expect.any(String));
    expect(newSecret).not.toBe(secret);
    stored = await storedAnswers('webhook-rotate-0001');
    expect(stored.row.response_body).toMatchObject({ id });
    expect(stored.row.response_body).not.toHaveProperty('secret');
    expect(stored.all).not.toContain(newSecret);

    const rotatedAgain = await keyed('post', rotatePath, 'webhook-rotate-0001').send(proof).expect(200);
    expect(rotatedAgain.headers['idempotent-replayed']).toBe('true');
    expect(rotatedAgain.body).toMatchObject({ id });
    expect(rotatedAgain.body).not.toHaveProperty('secret');
  });

  it('POST /privacy/exports/:id/link: the link is stored nowhere; a repeat is refused (409) and makes no new link', async () => {
    const id = crypto.randomUUID();
    const ready = await PrivacyExport.create({
      id,
      tenantId: tenant.id,
      userId: admin.id,
      requestedById: admin.id,
      status: 'ready',
      workflowId: privacyExportRun.id(id),
      storageKey: `privacy/${tenant.id}/${id}.zip`,
      readyAt: new Date(),
      expiresAt: new Date(Date.now() + DAY_MS),
    });
    const path = `/api/v1/privacy/exports/${ready.id}/link`;
    const link = await keyed('post', path, 'export-link-0001').send().expect(201);
    const { url } = link.body as { url: string };
    const token = new URL(url).searchParams.get('token')!;
    expect(token.length).toBeGreaterThan(20);
    const linkTokenHash = (await ready.reload()).linkTokenHash;
    expect(linkTokenHash).not.toBeNull();

    const stored = await storedAnswers('export-link-0001');
    expect(stored.row.response_status).toBe(201);
    expect(stored.row.response_body).not.toHaveProperty('url');
    expect(stored.all).not.toContain(token);

    const repeat = await keyed('post', path, 'export-link-0001').send().expect(409);
    expect(repeat.body.error).toMatchObject({ code: 'conflict', details: [{ field: 'Idempotency-Key', message: 'was answered already' }] });
    expect(JSON.stringify(repeat.body)).not.toContain(token);
    // The link answered first is still the export's one link.
    expect((await ready.reload()).linkTokenHash).toBe(linkTokenHash);
    // Another key asks for a new link, which replaces it.
    await keyed('post', path, 'export-link-0002').send().expect(201);
    expect((await ready.reload()).linkTokenHash).not.toBe(linkTokenHash);
  });

  it('migration 0072 takes the secrets out of answers an older version stored, and leaves the rest', async () => {
    const legacy = [
      ['POST', '/api/v1/api-keys', { id: 'k1', name: 'Old', key: 'ifk_0123456789ab_legacy-api-key-secret' }],
      ['POST', '/api/v1/webhooks/endpoints', { id: 'w1', url: 'https://hooks.example/x', secret: 'whsec_legacy-endpoint-secret' }],
      ['POST', '/api/v1/webhooks/endpoints/w1/rotate-secret', { id: 'w1', secret: 'whsec_legacy-rotated-secret' }],
      ['POST', '/api/v1/privacy/exports/e1/link', { url: 'https://api.example/dl?token=legacy-link-token', expiresAt: '2030-01-01' }],
      ['POST', '/api/v1/claims', { id: 'c1', key: 'not-a-secret-here' }],
    ] as const;
    for (const [index, [method, path, body]] of legacy.entries()) {
      await IdempotencyRecord.create({
        scope: `legacy:${admin.id}`,
        key: `legacy-answer-${index}`,
        method,
        path,
        requestHash: '0'.repeat(64),
        requestHashVersion: 2,
        responseStatus: 201,
        responseBody: body,
      });
    }

    await stripStoredSecrets(stack.db.sequelize.getQueryInterface());

    const rows = await IdempotencyRecord.findAll({ where: { scope: `legacy:${admin.id}` }, order: [['key', 'ASC']] });
    expect(rows.map((r) => r.responseBody)).toEqual([
      { id: 'k1', name: 'Old' },
      { id: 'w1', url: 'https://hooks.example/x' },
      { id: 'w1' },
      { expiresAt: '2030-01-01' },
      { id: 'c1', key: 'not-a-secret-here' },
    ]);
  });
});
