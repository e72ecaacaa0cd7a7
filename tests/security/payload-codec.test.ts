/**
 * Personal data in workflow histories: with PAYLOAD_CODEC_KEYS set, the API and the worker
 * encrypt every payload (AES-256-GCM), so Temporal's history holds no e-mail address, name or
 * claim text in clear, while runs complete and the API reads their live state as before. The
 * codec routes let a platform admin (the Temporal UI, the CLI) read them back; nobody else.
 * Real API, worker, PostgreSQL, SMTP sink and Temporal dev server.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import type { ClaimWorkflow } from '../../src/contracts/claim';
import type { SubscriptionWorkflow } from '../../src/contracts/subscription';
import { Claim, Subscription, User } from '../../src/models';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadDecryptionError } from '../../src/services/payload-codec';
import { createClaimsTeam, type ClaimsTeam } from '../claims/fixtures';
import { TEST_JWT_SECRET } from '../support/config';
import { requiredEnv } from '../support/env';
import { payloadsIn } from '../support/histories';
import { bearer, buildPlan, buildSubscription, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { resolveTemporalCli } from '../../scripts/local/tools';
import { eventually, resultOf } from '../support/waiting';

const newKey = () => crypto.randomBytes(32).toString('base64');
const KEY_A = newKey();
const KEY_B = newKey();
const UI_ORIGIN = 'http://127.0.0.1:8233';
const CODEC_ENV = { PAYLOAD_CODEC_KEYS: `a:${KEY_A}`, PAYLOAD_CODEC_ACTIVE_KEY: 'a', TEMPORAL_UI_ORIGIN: UI_ORIGIN };

const keys = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([id, key]) => [id, Buffer.from(key, 'base64')]));
const jsonPayload = (value: unknown): Payload => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(value)),
});
const metadataText = (payload: Payload, key: string) => Buffer.from(payload.metadata?.[key] ?? []).toString('utf8');

describe('payload encryption between the application and Temporal', () => {
  const stack = testStackOfBlock({ worker: true, env: CODEC_ENV });
  let team: ClaimsTeam;
  /** A client on the same server without the codec: what anyone with Temporal UI or CLI access reads. */
  let rawClient: Client;
  /** The subscription run of the first test, which the CLI test reads back. */
  let subscriptionRun: string;
  const codecA = new AesGcmPayloadCodec({ keys: keys({ a: KEY_A }), activeKeyId: 'a' });

  beforeAll(async () => {
    team = await createClaimsTeam();
    rawClient = new Client({ connection: stack.temporal.connection, namespace: stack.config.temporal.namespace });
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  /** The run's history as stored, in the bytes Temporal keeps, and its payloads decrypted with key A. */
  async function storedHistory(workflowId: string) {
    const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    const encrypted = payloadsIn(history).filter((p) => metadataText(p, 'encoding') === ENCRYPTED_ENCODING);
    const decrypted = (await codecA.decode(encrypted)).map((p) => Buffer.from(p.data ?? []).toString('utf8'));
    return { history, bytes, encrypted, decrypted };
  }

  it("keeps the policyholder's e-mail out of a subscription's stored history; the run activates, answers its live state and completes", async () => {
    const plan = await buildPlan({ tenantId: team.tenant.id });
    const created = await stack.api.post('/api/v1/subscriptions').set(as(team.claimant)).send({ planId: plan.id }).expect(202);
    const id = created.body.id as string;
    const active = await eventually(
      () => stack.api.get(`/api/v1/subscriptions/${id}`).set(as(team.claimant)).expect(200),
      (res) => res.body.status === 'active' && res.body.state?.status === 'active',
      `subscription ${id} active, read through the run's query`,
    );
    expect(active.body).toMatchObject({ status: 'active', state: { status: 'active' } });
    await stack.smtp.waitFor((m) => m.to.includes(team.claimant.email) && m.subject.includes('is active'));
    const reason = `Moving abroad, says ${team.claimant.fullName}`;
    await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set(as(team.claimant)).send({ reason }).expect(200);
    const outcome = await resultOf(stack.temporal.workflow.getHandle<SubscriptionWorkflow>(`subscription-${id}`));
    expect(outcome.status).toBe('cancelled');
    expect((await Subscription.findByPk(id))?.status).toBe('cancelled');

    subscriptionRun = `subscription-${id}`;
    const stored = await storedHistory(subscriptionRun);
    for (const secret of [team.claimant.email, team.claimant.fullName]) expect(stored.bytes.includes(secret)).toBe(false);
    // Without the codec the same history carried both: the e-mail activity answers its recipients,
    // the cancel update carries the reason.
    expect(stored.decrypted.some((text) => text.includes(team.claimant.email))).toBe(true);
    expect(stored.decrypted.some((text) => text.includes(reason))).toBe(true);
    expect(new Set(stored.encrypted.map((p) => metadataText(p, KEY_ID_METADATA)))).toEqual(new Set(['a']));
    // A worker that restarts replays the encrypted history with the same keys.
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: requiredEnv('INSURFLOW_TEST_WORKFLOW_BUNDLE') }, dataConverter: { payloadCodecs: [codecA] } },
      stored.history,
      `subscription-${id}`,
    );
  });

  it("keeps a claim's notes, denial reason and the claimant's e-mail out of its stored history; the run reaches its outcome", async () => {
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    const description = `Water came through the ceiling of flat 4B - ${crypto.randomUUID()}`;
    const filed = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 1500, description })
      .expect(201);
    await stack.api.post(`/api/v1/claims/${filed.body.id}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);
    const note = `Called ${team.claimant.fullName} on their mobile`;
    await stack.api
      .post(`/api/v1/claims/${filed.body.id}/transitions`)
      .set(as(team.adjuster))
      .send({ to: 'under_review', note })
      .expect(200);
    const live = await stack.api.get(`/api/v1/claims/${filed.body.id}`).set(as(team.claimant)).expect(200);
    expect(live.body).toMatchObject({ description, state: { stage: 'under_review', assigneeId: team.adjuster.id } });
    const reason = `${team.claimant.fullName} reported the leak two years late`;
    await stack.api.post(`/api/v1/claims/${filed.body.id}/transitions`).set(as(team.adjuster)).send({ to: 'denied', reason }).expect(200);
    const outcome = await resultOf(stack.temporal.workflow.getHandle<ClaimWorkflow>(filed.body.workflow.workflowId));
    expect(outcome).toMatchObject({ claimNumber: filed.body.claimNumber, outcome: 'denied' });
    await stack.smtp.waitFor((m) => m.to.includes(team.claimant.email) && m.subject.includes('is denied') && m.text.includes(reason));
    expect((await Claim.findByPk(filed.body.id))?.denialReason).toBe(reason);

    const stored = await storedHistory(filed.body.workflow.workflowId);
    for (const secret of [team.claimant.email, team.claimant.fullName, description]) expect(stored.bytes.includes(secret)).toBe(false);
    expect(stored.decrypted.some((text) => text.includes(note))).toBe(true);
    expect(stored.decrypted.some((text) => text.includes(reason))).toBe(true);
    expect(stored.decrypted.some((text) => text.includes(team.claimant.email))).toBe(true);
  });

  describe('the codec server routes', () => {
    const decode = (payloads: Payload[]) => ({ payloads: payloads.map(asJson) });
    function asJson(payload: Payload) {
      const metadata = Object.fromEntries(
        Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
      );
      return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
    }
    const post = (step: 'decode' | 'encode', body: object, user?: User) => {
      const request = stack.api.post(`/api/v1/codec/${step}`).set('X-Namespace', stack.config.temporal.namespace);
      return (user ? request.set(as(user)) : request).send(body);
    };

    it('decodes for a platform admin only: 401 without login, 403 for a policyholder and a tenant admin', async () => {
      const secret = { email: team.claimant.email };
      const [encrypted] = await codecA.encode([jsonPayload(secret)]);
      const admin = await buildUser({ role: 'platform_admin' });
      const tenantAdmin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });

      expect((await post('decode', decode([encrypted])).expect(401)).body.error.code).toBe('unauthorized');
      for (const refused of [team.claimant, tenantAdmin]) {
        const res = await post('decode', decode([encrypted]), refused).expect(403);
        expect(res.body.error.code).toBe('forbidden');
        expect(JSON.stringify(res.body)).not.toContain(team.claimant.email);
      }
      const res = await post('decode', decode([encrypted, jsonPayload('already clear')]), admin).expect(200);
      expect(res.body.payloads).toEqual([asJson(jsonPayload(secret)), asJson(jsonPayload('already clear'))]);
      expect(JSON.parse(Buffer.from(res.body.payloads[0].data, 'base64').toString('utf8'))).toEqual(secret);

      // Encoding (the UI starting a run or sending a signal) gives what the worker decrypts.
      const encoded = await post('encode', decode([jsonPayload(secret)]), admin).expect(200);
      expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
      const [roundTrip] = await codecA.decode([
        {
          metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from('a') },
          data: Buffer.from(encoded.body.payloads[0].data, 'base64'),
        },
      ]);
      expect(JSON.parse(Buffer.from(roundTrip.data!).toString())).toEqual(secret);
    });

    it('answers a tampered ciphertext, an unknown key and another namespace with a clear 4xx, never 500', async () => {
      const admin = await buildUser({ role: 'platform_admin' });
      const [encrypted] = await codecA.encode([jsonPayload({ email: team.claimant.email })]);
      const tampered = Buffer.from(encrypted.data!);
      tampered[20] ^= 0x01;
      const altered = await post('decode', decode([{ ...encrypted, data: tampered }]), admin).expect(422);
      expect(altered.body.error).toMatchObject({ code: 'unprocessable', message: expect.stringMatching(/key "a" fails authentication/) });
      const [otherKey] = await new AesGcmPayloadCodec({ keys: keys({ z: KEY_B }), activeKeyId: 'z' }).encode([jsonPayload('x')]);
      const unknown = await post('decode', decode([otherKey]), admin).expect(422);
      expect(unknown.body.error.message).toMatch(/key "z", which is not among PAYLOAD_CODEC_KEYS/);
      const notBase64 = await post('decode', { payloads: [{ metadata: { encoding: 'not base64!' }, data: '' }] }, admin).expect(400);
      expect(notBase64.body.error.code).toBe('validation_failed');
      const elsewhere = await stack.api
        .post('/api/v1/codec/decode')
        .set(as(admin))
        .set('X-Namespace', 'someone-else')
        .send(decode([encrypted]))
        .expect(400);
      expect(elsewhere.body.error.details).toEqual([{ field: 'X-Namespace', message: 'another namespace' }]);
      const tooMany = await post('decode', { payloads: Array.from({ length: 101 }, () => asJson(encrypted)) }, admin).expect(400);
      expect(tooMany.body.error.code).toBe('validation_failed');
    });

    it("lets the Temporal CLI show a run's payloads to a platform admin through the codec routes", async () => {
      const cli = resolveTemporalCli();
      expect(cli).toBeDefined();
      const server = stack.app.listen(0, '127.0.0.1');
      try {
        await new Promise((resolve) => server.once('listening', resolve));
        const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/codec`;
        const admin = await buildUser({ role: 'platform_admin' });
        const show = async (...codec: string[]) =>
          (
            await promisify(execFile)(
              cli!,
              [
                'workflow',
                'show',
                '--workflow-id',
                subscriptionRun,
                '--address',
                requiredEnv('INSURFLOW_TEST_TEMPORAL_ADDRESS'),
                '--namespace',
                stack.config.temporal.namespace,
                '--output',
                'json',
                ...codec,
              ],
              {
                maxBuffer: 16 * 1024 * 1024,
              },
            )
          ).stdout;
        // The CLI prints the history as protobuf JSON: each payload's metadata and data in base64.
        const shown = async (...codec: string[]) => {
          const payloads = payloadsIn(JSON.parse(await show(...codec))) as unknown as Array<{
            metadata: Record<string, string>;
            data?: string;
          }>;
          return {
            encodings: new Set(payloads.map((p) => Buffer.from(p.metadata.encoding, 'base64').toString())),
            texts: payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString()),
          };
        };
        const plain = await shown();
        expect(plain.encodings).toContain(ENCRYPTED_ENCODING);
        expect(plain.texts.some((text) => text.includes(team.claimant.email))).toBe(false);
        const decoded = await shown('--codec-endpoint', endpoint, '--codec-auth', bearer(stack.config, admin));
        expect(decoded.encodings).not.toContain(ENCRYPTED_ENCODING);
        expect(decoded.texts.some((text) => text.includes(team.claimant.email))).toBe(true);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('signs a browser in for the Temporal UI: an HttpOnly cookie for the codec routes alone, from a platform admin only, refused once the session ends', async () => {
      const admin = await buildUser({ role: 'platform_admin' });
      const tenantAdmin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
      await stack.api.post('/api/v1/codec/session').expect(401);
      await stack.api.post('/api/v1/codec/session').set(as(tenantAdmin)).expect(403);
      const signedIn = await stack.api.post('/api/v1/codec/session').set(as(admin)).expect(204);
      const [cookie] = signedIn.headers['set-cookie'] as unknown as string[];
      expect(cookie).toMatch(/^insurflow_codec_session=[^;]+; path=\/api\/v1\/codec; expires=[^;]+; samesite=strict; httponly$/);
      const maxAgeSeconds = (Date.parse(/expires=([^;]+)/.exec(cookie)![1]) - Date.now()) / 1000;
      expect(maxAgeSeconds).toBeGreaterThan(0);
      expect(maxAgeSeconds).toBeLessThanOrEqual(stack.config.jwt.accessTtlSeconds + 1);

      // What the UI sends with include-credentials: the cookie and its origin, no Authorization header.
      const [encrypted] = await codecA.encode([jsonPayload({ email: team.claimant.email })]);
      const sessionCookie = cookie.split(';')[0];
      const decoded = await post('decode', decode([encrypted]))
        .set('Cookie', sessionCookie)
        .set('Origin', UI_ORIGIN)
        .expect(200);
      expect(JSON.parse(Buffer.from(decoded.body.payloads[0].data, 'base64').toString('utf8'))).toEqual({ email: team.claimant.email });
      expect(decoded.headers['access-control-allow-credentials']).toBe('true');

      // The cookie is the admin's session: once the admin is deactivated, it opens nothing.
      await User.update({ isActive: false }, { where: { id: admin.id } });
      try {
        await eventually(
          () => post('decode', decode([encrypted])).set('Cookie', sessionCookie),
          (res) => res.status === 401,
          'codec session refused after deactivation',
        );
        // A request with an Authorization header is judged by it: a stale cookie does not shadow it.
        const otherAdmin = await buildUser({ role: 'platform_admin' });
        await post('decode', decode([encrypted]), otherAdmin)
          .set('Cookie', sessionCookie)
          .expect(200);
      } finally {
        await User.update({ isActive: true }, { where: { id: admin.id } });
      }
    });

    it("allows the Temporal UI's origin, with credentials and the Authorization header, and no other origin", async () => {
      const preflight = (origin: string) =>
        stack.api
          .options('/api/v1/codec/decode')
          .set('Origin', origin)
          .set('Access-Control-Request-Method', 'POST')
          .set('Access-Control-Request-Headers', 'authorization,content-type,x-namespace');
      const allowed = await preflight(UI_ORIGIN).expect(204);
      expect(allowed.headers).toMatchObject({
        'access-control-allow-origin': UI_ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'POST',
      });
      expect(allowed.headers['access-control-allow-headers'].split(',')).toEqual(
        expect.arrayContaining(['Authorization', 'Content-Type', 'X-Namespace']),
      );

      const refused = await preflight('https://evil.example');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      expect(refused.headers['access-control-allow-credentials']).toBeUndefined();
      // The rest of the API keeps its own CORS rule: the UI's origin is not one of CORS_ORIGINS.
      const elsewhere = await stack.api.options('/api/v1/claims').set('Origin', UI_ORIGIN).set('Access-Control-Request-Method', 'GET');
      expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();

      const admin = await buildUser({ role: 'platform_admin' });
      const [encrypted] = await codecA.encode([jsonPayload('from the UI')]);
      const answered = await post('decode', decode([encrypted]), admin)
        .set('Origin', UI_ORIGIN)
        .expect(200);
      expect(answered.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    });
  });
});

describe('payload codec keys and their rotation', () => {
  const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', JWT_SECRET: TEST_JWT_SECRET };

  it('adds a key and makes it active: old payloads still decode, new ones carry the new key, a process without it fails clearly', async () => {
    const before = new AesGcmPayloadCodec(
      loadConfig({ ...base, PAYLOAD_CODEC_KEYS: `a:${KEY_A}`, PAYLOAD_CODEC_ACTIVE_KEY: 'a' }).temporal.payloadCodec!,
    );
    const after = new AesGcmPayloadCodec(
      loadConfig({ ...base, PAYLOAD_CODEC_KEYS: `a:${KEY_A},b:${KEY_B}`, PAYLOAD_CODEC_ACTIVE_KEY: 'b' }).temporal.payloadCodec!,
    );
    const [old] = await before.encode([jsonPayload({ email: 'jane@example.test' })]);
    const [fresh] = await after.encode([jsonPayload({ email: 'john@example.test' })]);
    expect([metadataText(old, KEY_ID_METADATA), metadataText(fresh, KEY_ID_METADATA)]).toEqual(['a', 'b']);
    const decoded = await after.decode([old, fresh]);
    expect(decoded.map((p) => JSON.parse(Buffer.from(p.data!).toString()))).toEqual([
      { email: 'jane@example.test' },
      { email: 'john@example.test' },
    ]);
    expect(metadataText(decoded[0], 'encoding')).toBe('json/plain');
    await expect(before.decode([fresh])).rejects.toThrow(
      new PayloadDecryptionError('A payload is encrypted with key "b", which is not among PAYLOAD_CODEC_KEYS'),
    );
    // The same plaintext twice gives two ciphertexts (a fresh IV each time).
    const [again] = await after.encode([jsonPayload({ email: 'john@example.test' })]);
    expect(Buffer.from(again.data!).equals(Buffer.from(fresh.data!))).toBe(false);
  });

  it('refuses a short key, a malformed list, a repeated id and an active key that is not listed, naming the variable and never the key', () => {
    const short = crypto.randomBytes(16).toString('base64');
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PAYLOAD_CODEC_KEYS: `a:${short}`, PAYLOAD_CODEC_ACTIVE_KEY: 'a' }, /"PAYLOAD_CODEC_KEYS" must be id:key pairs/],
      [{ PAYLOAD_CODEC_KEYS: KEY_A, PAYLOAD_CODEC_ACTIVE_KEY: 'a' }, /"PAYLOAD_CODEC_KEYS" must be id:key pairs/],
      [{ PAYLOAD_CODEC_KEYS: `a:${KEY_A},a:${KEY_B}`, PAYLOAD_CODEC_ACTIVE_KEY: 'a' }, /"PAYLOAD_CODEC_KEYS" must be id:key pairs/],
      [{ PAYLOAD_CODEC_KEYS: `a:${KEY_A}`, PAYLOAD_CODEC_ACTIVE_KEY: 'b' }, /"PAYLOAD_CODEC_ACTIVE_KEY" must be one of the ids/],
      [{ PAYLOAD_CODEC_KEYS: `a:${KEY_A}` }, /"PAYLOAD_CODEC_ACTIVE_KEY" is required/],
      [{ PAYLOAD_CODEC_ACTIVE_KEY: 'a' }, /"PAYLOAD_CODEC_ACTIVE_KEY" needs PAYLOAD_CODEC_KEYS/],
      [{ TEMPORAL_UI_ORIGIN: 'http://127.0.0.1:8080/ui' }, /"TEMPORAL_UI_ORIGIN" must be an origin/],
    ];
    for (const [env, message] of cases) {
      let error: Error | undefined;
      try {
        loadConfig({ ...base, ...env });
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message).toMatch(message);
      for (const key of [KEY_A, KEY_B, short]) expect(error?.message).not.toContain(key);
    }
    expect(loadConfig(base).temporal.payloadCodec).toBeUndefined();
  });
});
