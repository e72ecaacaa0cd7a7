/**
 * Personal data in workflow histories (docs/privacy.md): the name an employee types to acknowledge
 * a policy travels through Temporal sealed with their own data key, so a history exported from
 * Temporal holds it nowhere in clear; the codec (the application's, or the codec routes the
 * Temporal UI calls) opens it; once the key is destroyed the same export opens to an erased marker
 * instead, the run still replays and the API still answers. Real API, worker, PostgreSQL and
 * Temporal dev server; the codec's own cases on an in-memory keyring.
 */
import crypto from 'node:crypto';
import { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { PersonDataKey, type Tenant, type User } from '../../src/models';
import { PayloadDecryptionError } from '../../src/services/payload-codec';
import { PersonDataCodec, type SealedPersonalData } from '../../src/services/person-data-codec';
import { destroyPersonDataKey, personDataKeyring, rewrapPersonDataKeys, type PersonKeyring } from '../../src/services/person-data-keys';
import { down, up } from '../../src/models/migrations/0065-person-data-keys';
import { temporalDataConverter } from '../../src/services/temporal';
import { openAesGcm } from '../../src/services/aes-gcm';
import { erasedPersonalData, personalData } from '../../src/shared/personal-data';
import { acknowledgementWithNotice } from '../support/acknowledgement-runs';
import { requiredEnv } from '../support/env';
import { decodedTexts, exportedHistory, payloadsOfExport, sealedFor } from '../support/person-data';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { resultOf } from '../support/waiting';

const jsonPayload = (value: unknown): Payload => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(value)),
});
const valueOf = (payload: Payload): unknown => JSON.parse(Buffer.from(payload.data!).toString('utf8'));

/** A keyring in memory: one key per person, null once "destroyed". */
function memoryKeyring(): PersonKeyring & { destroy(userId: string): void } {
  const keys = new Map<string, Buffer | null>();
  const keyOf = async (userId: string) => {
    if (!keys.has(userId)) keys.set(userId, crypto.randomBytes(32));
    return keys.get(userId)!;
  };
  return { sealingKey: keyOf, openingKey: keyOf, destroy: (userId) => void keys.set(userId, null) };
}

describe('the person data codec', () => {
  const subject = crypto.randomUUID();
  const request = { userId: subject, evidence: { contentSha256: 'ab'.repeat(32), typedName: personalData(subject, 'Ines Quellmalz') } };

  it('seals a marked field with the subject as AAD and opens it again; the rest of the payload stays as it was', async () => {
    const codec = new PersonDataCodec(memoryKeyring());
    const [encoded] = await codec.encode([jsonPayload(request)]);
    expect(Buffer.from(encoded.data!).toString()).not.toContain('Ines');
    const sealed = (valueOf(encoded) as typeof request).evidence.typedName as unknown as SealedPersonalData;
    expect(sealed).toEqual({ dataSubjectId: subject, sealed: expect.any(String), keyId: `person:${subject}` });
    expect(valueOf(encoded)).toMatchObject({ userId: subject, evidence: { contentSha256: 'ab'.repeat(32) } });
    const [decoded] = await codec.decode([encoded]);
    expect(valueOf(decoded)).toEqual(request);
  });

  it('leaves a payload without a marked field untouched, byte for byte (the same object), and binary payloads too', async () => {
    const codec = new PersonDataCodec(memoryKeyring());
    const plain = jsonPayload({ acknowledgementId: subject, note: 'no person here', nested: [{ personal: 'not marked' }] });
    const binary: Payload = { metadata: { encoding: Buffer.from('binary/plain') }, data: Buffer.from('"dataSubjectId"') };
    const encoded = await codec.encode([plain, binary]);
    expect(encoded[0]).toBe(plain);
    expect(encoded[1]).toBe(binary);
    const decoded = await codec.decode(encoded);
    expect(decoded[0]).toBe(plain);
  });

  it('decodes a destroyed key to the erased marker, never an error; an erased marker is encoded as it is', async () => {
    const keyring = memoryKeyring();
    const codec = new PersonDataCodec(keyring);
    const [encoded] = await codec.encode([jsonPayload(request)]);
    keyring.destroy(subject);
    const [decoded] = await codec.decode([encoded]);
    expect((valueOf(decoded) as typeof request).evidence.typedName).toEqual(erasedPersonalData(subject));
    expect(Buffer.from(decoded.data!).toString()).not.toContain('Ines');
    const [again] = await codec.encode([decoded]);
    expect(valueOf(again)).toEqual(valueOf(decoded));
    // A person erased says something new: it is not kept, sealed or not.
    const [late] = await codec.encode([jsonPayload(personalData(subject, 'Ines again'))]);
    expect(valueOf(late)).toEqual(erasedPersonalData(subject));
  });

  it('refuses altered ciphertext, another key id, a subject that is no user id, bad JSON, deep nesting and a sealed input with a PayloadDecryptionError', async () => {
    const codec = new PersonDataCodec(memoryKeyring());
    const [encoded] = await codec.encode([jsonPayload(personalData(subject, 'Ines'))]);
    const sealed = valueOf(encoded) as SealedPersonalData;
    const bytes = Buffer.from(sealed.sealed, 'base64');
    bytes[14] ^= 0x01;
    const other = crypto.randomUUID();
    for (const altered of [
      { ...sealed, sealed: bytes.toString('base64') },
      { ...sealed, keyId: `person:${other}` },
      // Moved onto another person: the AAD (and the key) are theirs.
      { ...sealed, dataSubjectId: other, keyId: `person:${other}` },
      { ...sealed, dataSubjectId: 'not-a-user', keyId: 'person:not-a-user' },
    ])
      await expect(codec.decode([jsonPayload(altered)])).rejects.toThrow(PayloadDecryptionError);
    // Not JSON, nested beyond any payload of ours, or sealed already when handed in to be encoded.
    const notJson: Payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"dataSubjectId": oops') };
    let deep: unknown = personalData(subject, 'Ines');
    for (let i = 0; i < 70; i++) deep = [deep];
    await expect(codec.decode([notJson])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.encode([jsonPayload(deep)])).rejects.toThrow(/nests deeper than 64 levels/);
    await expect(codec.encode([jsonPayload({ evidence: sealed })])).rejects.toThrow(/already holds a sealed personal field/);
  });

  it('costs little on an unmarked payload: a few microseconds more than a codec that does nothing', async () => {
    const codec = new PersonDataCodec(memoryKeyring());
    const nothing: PayloadCodec = { encode: async (payloads) => payloads, decode: async (payloads) => payloads };
    const small = jsonPayload({ tenantId: subject, acknowledgementId: subject, employeeId: subject, dueAt: new Date().toISOString() });
    const large = jsonPayload({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, text: 'x'.repeat(40) })) });
    // The CPU this process spent, at its least over a few batches: on a machine shared with other
    // test files, wall-clock time counts whatever ran while this one waited for a core.
    const perPayloadMicros = async (applied: PayloadCodec, payload: Payload) => {
      const rounds = 4_000;
      let least = Infinity;
      for (let batch = 0; batch < 5; batch++) {
        const before = process.cpuUsage();
        for (let i = 0; i < rounds; i++) await applied.decode(await applied.encode([payload]));
        const spent = process.cpuUsage(before);
        least = Math.min(least, (spent.user + spent.system) / rounds / 2);
      }
      return least;
    };
    const overhead = async (payload: Payload) => (await perPayloadMicros(codec, payload)) - (await perPayloadMicros(nothing, payload));
    const [smallMicros, largeMicros] = [await overhead(small), await overhead(large)];
    process.stdout.write(
      `[crypto-shredding] unmarked payload, overhead per encode or decode over a no-op codec: ${smallMicros.toFixed(2)} µs (${small.data!.length} B), ${largeMicros.toFixed(2)} µs (${large.data!.length} B)\n`,
    );
    // Generous: the figure is for the record, the bound only catches a codec that parses everything.
    expect(smallMicros).toBeLessThan(200);
    expect(largeMicros).toBeLessThan(200);
  });
});

describe('crypto-shredding of an acknowledgement typed name', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  /** A client on the same server without any codec: what an export from Temporal holds. */
  let rawClient: Client;
  const TYPED_NAME = 'Wilhelmina Zorrilla-Typed';

  beforeAll(async () => {
    tenant = await buildTenant();
    rawClient = new Client({ connection: stack.temporal.connection, namespace: stack.config.temporal.namespace });
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const decodeWithConverter = (payloads: Payload[]) => decodedTexts(stack.config.temporal, payloads);
  const decodeWithRoute = async (admin: User, payloads: Payload[]) => {
    const body = {
      payloads: payloads.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
        data: Buffer.from(p.data ?? []).toString('base64'),
      })),
    };
    const res = await stack.api
      .post('/api/v1/codec/decode')
      .set(as(admin))
      .set('X-Namespace', stack.config.temporal.namespace)
      .send(body)
      .expect(200);
    return (res.body.payloads as Array<{ data: string }>).map((p) => Buffer.from(p.data, 'base64').toString('utf8'));
  };

  it('keeps the name out of the exported history; the codec opens it until the key is destroyed, then shows it erased', async () => {
    const { employee, ack } = await acknowledgementWithNotice(stack, tenant, { fullName: 'Wilhelmina Zorrilla' });
    const admin = await buildUser({ role: 'platform_admin' });
    const done = await stack.api.post(`/api/v1/acknowledgements/${ack.id}/acknowledge`).set(as(employee)).send({ fullName: TYPED_NAME });
    expect([done.status, done.body.status]).toEqual([200, 'acknowledged']);
    await resultOf(stack.temporal.workflow.getHandle(ack.workflowId!));
    await ack.reload();
    expect(ack).toMatchObject({ status: 'acknowledged', typedName: TYPED_NAME });

    // The export: the history as Temporal stores it, in its bytes.
    const history = await rawClient.workflow.getHandle(ack.workflowId!).fetchHistory();
    const exported = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(exported.includes(Buffer.from(TYPED_NAME))).toBe(false);
    expect(exported.includes(Buffer.from('Wilhelmina'))).toBe(false);
    // The Update's argument and the activity's input both carry it, sealed with the employee's key.
    const sealedIn = sealedFor(payloadsOfExport(exported), employee.id);
    expect(sealedIn.length).toBeGreaterThanOrEqual(2);
    const row = await PersonDataKey.findByPk(employee.id);
    expect(row).toMatchObject({ tenantId: tenant.id, destroyedAt: null, wrappingKeyId: null });
    expect(row!.dataKey).toHaveLength(32);

    // Before erasure: the application's codec and the codec routes (the Temporal UI) open it.
    const opened = await decodeWithConverter(sealedIn);
    expect(opened.every((text) => text.includes(`"typedName":{"dataSubjectId":"${employee.id}","personal":"${TYPED_NAME}"}`))).toBe(true);
    expect((await decodeWithRoute(admin, sealedIn)).every((text) => text.includes(TYPED_NAME))).toBe(true);

    await destroyPersonDataKey(employee.id);
    expect(await PersonDataKey.findByPk(employee.id)).toMatchObject({ dataKey: null, wrappingKeyId: null, destroyedAt: expect.any(Date) });

    // After erasure: the export made before and one made now both decode, with the marker where the name was.
    const later = await exportedHistory(rawClient, ack.workflowId!);
    const marker = JSON.stringify(erasedPersonalData(employee.id));
    for (const anExport of [exported, later]) {
      const all = payloadsOfExport(anExport);
      for (const decoded of [await decodeWithConverter(all), await decodeWithRoute(admin, all)]) {
        expect(decoded.join('\n')).not.toContain('Wilhelmina');
        expect(decoded.filter((text) => text.includes(`"typedName":${marker}`))).toHaveLength(sealedIn.length);
      }
    }

    // The run still replays (its Update's argument decodes to the marker), and the API still answers.
    await Worker.runReplayHistory(
      {
        workflowBundle: { codePath: requiredEnv('INSURFLOW_TEST_WORKFLOW_BUNDLE') },
        dataConverter: temporalDataConverter(stack.config.temporal),
      },
      history,
      ack.workflowId!,
    );
    const mine = await stack.api.get('/api/v1/acknowledgements').set(as(employee)).expect(200);
    expect(mine.body.items).toEqual([expect.objectContaining({ id: ack.id, status: 'acknowledged' })]);
    const run = await stack.api.get(`/api/v1/workflows/${ack.workflowId}`).set(as(employee));
    expect(run.status).toBe(200);
  });

  it('answers a tampered or forged personal field through the codec routes with 422, never 500', async () => {
    const admin = await buildUser({ role: 'platform_admin' });
    const person = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    const [encoded] = await new PersonDataCodec(personDataKeyring(undefined)).encode([jsonPayload(personalData(person.id, 'Ines'))]);
    const sealed = valueOf(encoded) as SealedPersonalData;
    const bytes = Buffer.from(sealed.sealed, 'base64');
    bytes[20] ^= 0x01;
    const asJson = (value: unknown) => ({
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from(JSON.stringify(value)).toString('base64'),
    });
    const post = (step: 'decode' | 'encode', value: unknown) =>
      stack.api
        .post(`/api/v1/codec/${step}`)
        .set(as(admin))
        .set('X-Namespace', stack.config.temporal.namespace)
        .send({ payloads: [asJson(value)] });
    const altered = await post('decode', { ...sealed, sealed: bytes.toString('base64') }).expect(422);
    expect(altered.body.error).toMatchObject({ code: 'unprocessable', message: expect.stringMatching(/fails authentication/) });
    expect((await post('encode', sealed).expect(422)).body.error.message).toMatch(/already holds a sealed personal field/);
  });

  it('destroys idempotently, and seals nothing for an erased person again: a later acknowledgement keeps no typed name', async () => {
    const { employee, ack } = await acknowledgementWithNotice(stack, tenant);
    await destroyPersonDataKey(employee.id);
    await destroyPersonDataKey(employee.id);
    const done = await stack.api.post(`/api/v1/acknowledgements/${ack.id}/acknowledge`).set(as(employee)).send({ fullName: TYPED_NAME });
    expect([done.status, done.body.status]).toEqual([200, 'acknowledged']);
    await resultOf(stack.temporal.workflow.getHandle(ack.workflowId!));
    expect(await ack.reload()).toMatchObject({ status: 'acknowledged', typedName: null });
    const exported = await exportedHistory(rawClient, ack.workflowId!);
    expect(exported.includes(Buffer.from(TYPED_NAME))).toBe(false);
    expect(await PersonDataKey.count({ where: { userId: employee.id } })).toBe(1);
  });

  it('makes one key for a first use from many callers at once, wrapped with the payload key when one is configured', async () => {
    const person = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    const masterKey = crypto.randomBytes(32);
    const keyring = personDataKeyring({ keys: new Map([['m1', masterKey]]), activeKeyId: 'm1' });
    const keys = await Promise.all(Array.from({ length: 6 }, () => keyring.sealingKey(person.id)));
    expect(new Set(keys.map((key) => key!.toString('hex'))).size).toBe(1);
    const row = await PersonDataKey.findByPk(person.id);
    expect(row).toMatchObject({ wrappingKeyId: 'm1', tenantId: tenant.id });
    // Stored wrapped (IV, key, tag), bound to its person: the bytes in the row are not the key.
    expect(row!.dataKey).toHaveLength(12 + 32 + 16);
    expect(openAesGcm(masterKey, `person-data-key:${person.id}`, row!.dataKey!)).toEqual(keys[0]);
    expect(openAesGcm(masterKey, `person-data-key:${tenant.id}`, row!.dataKey!)).toBeNull();
    // No such user: nothing to seal with, nothing stored.
    const nobody = crypto.randomUUID();
    expect(await keyring.sealingKey(nobody)).toBeNull();
    expect(await PersonDataKey.findByPk(nobody)).toBeNull();
  });

  it('wraps every live key with the active payload key: unwrapped ones, then those of a rotated-out key; destroyed and unreadable ones stay', async () => {
    const [plain, erased, orphan] = await Promise.all([1, 2, 3].map(() => buildUser({ tenantId: tenant.id, role: 'claims_agent' })));
    const key = await personDataKeyring(undefined).sealingKey(plain.id);
    await personDataKeyring(undefined).sealingKey(erased.id);
    await destroyPersonDataKey(erased.id);
    // Wrapped with a payload key no longer listed anywhere: nobody can rewrap it.
    await personDataKeyring({ keys: new Map([['gone', crypto.randomBytes(32)]]), activeKeyId: 'gone' }).sealingKey(orphan.id);
    const orphanRow = (await PersonDataKey.findByPk(orphan.id))!.dataKey;
    const [r1, r2] = [crypto.randomBytes(32), crypto.randomBytes(32)];
    const opened = async (master: Buffer) => {
      const row = (await PersonDataKey.findByPk(plain.id))!;
      return { wrappingKeyId: row.wrappingKeyId, key: openAesGcm(master, `person-data-key:${plain.id}`, row.dataKey!) };
    };

    expect((await rewrapPersonDataKeys({ keys: new Map([['r1', r1]]), activeKeyId: 'r1' })).unreadable).toBeGreaterThanOrEqual(1);
    expect(await opened(r1)).toEqual({ wrappingKeyId: 'r1', key });
    const both = {
      keys: new Map([
        ['r1', r1],
        ['r2', r2],
      ]),
      activeKeyId: 'r2',
    };
    expect((await rewrapPersonDataKeys(both)).rewrapped).toBeGreaterThanOrEqual(1);
    expect(await opened(r2)).toEqual({ wrappingKeyId: 'r2', key });
    expect((await rewrapPersonDataKeys(both)).rewrapped).toBe(0);
    expect(await PersonDataKey.findByPk(erased.id)).toMatchObject({ dataKey: null, wrappingKeyId: null, destroyedAt: expect.any(Date) });
    expect(await PersonDataKey.findByPk(orphan.id)).toMatchObject({ wrappingKeyId: 'gone', dataKey: orphanRow });
  });

  it('takes migration 0065 back and applies it again; the database refuses a destroyed row that keeps its key', async () => {
    const person = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    const queryInterface = stack.db.sequelize.getQueryInterface();
    await down(queryInterface);
    await up(queryInterface);
    expect(await PersonDataKey.count()).toBe(0);
    await expect(
      PersonDataKey.create({
        userId: person.id,
        tenantId: tenant.id,
        dataKey: crypto.randomBytes(32),
        wrappingKeyId: null,
        destroyedAt: new Date(),
      }),
    ).rejects.toThrow(/person_data_keys_destroyed/);
    await destroyPersonDataKey(person.id);
    expect(await PersonDataKey.findByPk(person.id)).toMatchObject({ tenantId: tenant.id, dataKey: null });
  });
});
