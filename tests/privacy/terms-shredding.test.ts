/**
 * Personal data in workflow histories (docs/privacy.md): a policy's holder phone and property
 * address travel in its run's terms sealed with the policyholder's data key, so a history exported
 * from Temporal holds neither in clear. After the person's erasure every export, made before or
 * after, opens to the erased marker in their place; the run replays and goes on (a query, a
 * cancellation, a renewal's continue-as-new), and the API still answers the policy. Runs started
 * before the contact was marked carry it plain and still record it. Real API, worker, PostgreSQL
 * and Temporal dev server; the seal's cost measured on the real keyring.
 */
import crypto from 'node:crypto';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import {
  holderContactOf,
  markedHolderContact,
  subscriptionRun,
  type SubscriptionTerms,
  type SubscriptionWorkflow,
  subscriptionStateQuery,
} from '../../src/contracts/subscription';
import { PersonDataKey, type Plan, Subscription, type Tenant, type User } from '../../src/models';
import { PersonDataCodec } from '../../src/services/person-data-codec';
import { destroyPersonDataKey, PERSON_DATA_KEY_CACHE_MS, personDataKeyring } from '../../src/services/person-data-keys';
import { payloadCodecs, temporalDataConverter } from '../../src/services/temporal';
import { workflowStartOptions } from '../../src/services/workflow-start';
import { erasedPersonalData, personalData } from '../../src/shared/personal-data';
import { DAY_MS } from '../../src/shared/time';
import { requiredEnv } from '../support/env';
import { bearer, buildPlan, buildSubscription, buildTenantWithAdmin, buildUser, buildUsers, planTerms } from '../support/factories';
import { payloadsIn } from '../support/histories';
import { testStackOfBlock } from '../support/stack';
import { eventually, waitUntil } from '../support/waiting';

const PHONE = '+4930987654321';
const STREET = 'Quellmalzweg 17a';
const ADDRESS = { line1: STREET, line2: 'Hinterhaus', postalCode: '10115', city: 'Berlin', country: 'DE' };
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('crypto-shredding of a policy holder contact', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let admin: User;
  let plan: Plan;
  /** A client on the same server without any codec: what an export from Temporal holds. */
  let rawClient: Client;
  let keys = 0;
  const key = () => `terms-shredding-${Date.now()}-${(keys += 1)}`;

  beforeAll(async () => {
    ({ tenant, admin } = await buildTenantWithAdmin());
    plan = await buildPlan({ tenantId: tenant.id, durationMonths: 12 });
    rawClient = new Client({ connection: stack.temporal.connection, namespace: stack.config.temporal.namespace });
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  /** A run's history as Temporal stores it, in its bytes. */
  const exportOf = async (workflowId: string, runId?: string) =>
    Buffer.from(temporal.api.history.v1.History.encode(await rawClient.workflow.getHandle(workflowId, runId).fetchHistory()).finish());
  const payloadsOf = (anExport: Buffer) => payloadsIn(temporal.api.history.v1.History.decode(anExport));
  const sealedFor = (payloads: Payload[], person: User) =>
    payloads.filter((p) => Buffer.from(p.data ?? []).includes(Buffer.from(`"keyId":"person:${person.id}"`)));
  const decoded = async (payloads: Payload[]) => {
    let opened = payloads;
    for (const codec of payloadCodecs(stack.config.temporal).reverse()) opened = await codec.decode(opened);
    return opened.map((payload) => Buffer.from(payload.data ?? []).toString('utf8'));
  };
  const replays = (history: temporal.api.history.v1.IHistory, workflowId: string) =>
    Worker.runReplayHistory(
      {
        workflowBundle: { codePath: requiredEnv('INSURFLOW_TEST_WORKFLOW_BUNDLE') },
        dataConverter: temporalDataConverter(stack.config.temporal),
      },
      history,
      workflowId,
    );
  /** The terms of a policy of the plan, as the subscribe command starts its run with them. */
  const termsFor = (holder: User, subscriptionId: string, contact: Partial<SubscriptionTerms>): SubscriptionTerms => ({
    ...planTerms(plan, holder.id, subscriptionId),
    ...contact,
  });
  const untilStatus = (id: string, status: string) =>
    eventually(
      () => Subscription.findByPk(id),
      (row) => row?.status === status,
      `subscription ${id} ${status}`,
      60_000,
    );

  it('keeps phone and street out of the exported history; after an erasure every export opens to the marker, the run replays and goes on', async () => {
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const issued = await stack.api
      .post('/api/v1/subscriptions')
      .set(as(admin))
      .set('Idempotency-Key', key())
      .send({ planId: plan.id, policyholderId: holder.id, holderPhone: PHONE, propertyAddress: ADDRESS })
      .expect(202);
    const id = issued.body.id as string;
    const workflowId = subscriptionRun.id(id);
    await untilStatus(id, 'active');
    const run = stack.temporal.workflow.getHandle(workflowId);
    expect(await run.query(subscriptionStateQuery)).toMatchObject({ status: 'active' });
    const shown = await stack.api.get(`/api/v1/subscriptions/${id}`).set(as(holder)).expect(200);
    expect(shown.body).toMatchObject({ holderPhone: PHONE, propertyAddress: ADDRESS, state: { status: 'active' } });

    const before = await exportOf(workflowId);
    const history = temporal.api.history.v1.History.decode(before);
    for (const clear of [PHONE, STREET, 'Hinterhaus']) expect(before.includes(Buffer.from(clear))).toBe(false);
    // The run's input carries it sealed with the holder's key (the row's insert is a local activity: its input is not kept).
    const sealedBefore = sealedFor(payloadsOf(before), holder);
    expect(sealedBefore.length).toBeGreaterThanOrEqual(1);
    const opened = await decoded(sealedBefore);
    const contact = JSON.stringify(personalData(holder.id, { holderPhone: PHONE, propertyAddress: ADDRESS }));
    expect(opened.every((text) => text.includes(`"holderContact":${contact}`))).toBe(true);

    // A real erasure: its run clears the row and destroys the key.
    const erasure = await stack.api
      .post('/api/v1/privacy/erasures')
      .set(as(admin))
      .set('Idempotency-Key', key())
      .send({ userId: holder.id, reason: 'Data subject request 2026-207' })
      .expect(202);
    await eventually(
      async () => (await stack.api.get(`/api/v1/privacy/erasures/${erasure.body.id}`).set(as(admin)).expect(200)).body,
      (body) => body.status === 'completed',
      'the erasure completed',
      60_000,
    );
    expect(await PersonDataKey.findByPk(holder.id)).toMatchObject({ dataKey: null, destroyedAt: expect.any(Date) });

    const after = await exportOf(workflowId);
    const marker = `"holderContact":${JSON.stringify(erasedPersonalData(holder.id))}`;
    for (const anExport of [before, after]) {
      const texts = await decoded(payloadsOf(anExport));
      for (const clear of [PHONE, STREET, 'Hinterhaus']) expect(texts.join('\n')).not.toContain(clear);
      expect(texts.filter((text) => text.includes(marker))).toHaveLength(sealedFor(payloadsOf(anExport), holder).length);
    }
    await replays(history, workflowId);

    // The API answers the policy (its row erased by the erasure) with the run's live state; the run takes the next decision.
    const still = await stack.api.get(`/api/v1/subscriptions/${id}`).set(as(admin)).expect(200);
    expect(still.body).toMatchObject({ id, status: 'active', holderPhone: null, stale: false, state: { status: 'active' } });
    expect(still.body.propertyAddress).toMatchObject({ line1: '[erased]', city: 'Berlin' });
    const cancelled = await stack.api
      .patch(`/api/v1/subscriptions/${id}/cancel`)
      .set(as(admin))
      .send({ reason: 'Holder asked to be forgotten' })
      .expect(200);
    expect(cancelled.body).toMatchObject({ id, status: 'cancelled' });
    await untilStatus(id, 'cancelled');
    await replays(await rawClient.workflow.getHandle(workflowId).fetchHistory(), workflowId);
  }, 120_000);

  it("carries the sealed contact through a renewal's continue-as-new; once the key is destroyed the next run starts with the marker and runs", async () => {
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    // An active policy inside its renewal window (the default reminder is 30 days before its end).
    const row = await buildSubscription({
      policyholderId: holder.id,
      planId: plan.id,
      startDate: isoDay(Date.now() - 355 * DAY_MS),
      endDate: isoDay(Date.now() + 10 * DAY_MS),
      holderPhone: PHONE,
      propertyAddress: ADDRESS,
    });
    const workflowId = subscriptionRun.id(row.id);
    const terms = termsFor(holder, row.id, markedHolderContact(holder.id, { holderPhone: PHONE, propertyAddress: ADDRESS }));
    const first = await stack.temporal.workflow.start<SubscriptionWorkflow>(subscriptionRun.type, {
      ...workflowStartOptions(stack.config.temporal.taskQueue, { workflowId, tenantId: tenant.id, status: 'active', summary: 'renewal' }),
      args: [{ terms, period: { startDate: row.startDate!, endDate: row.endDate!, renewalCount: 0 } }],
    });
    await row.update({ workflowId });
    expect((await first.query(subscriptionStateQuery)).status).toBe('active');
    const firstExport = await exportOf(workflowId, first.firstExecutionRunId);
    expect(firstExport.includes(Buffer.from(PHONE))).toBe(false);
    expect(sealedFor(payloadsOf(firstExport), holder)).toHaveLength(1);

    await destroyPersonDataKey(holder.id);
    const renewed = await stack.api.post(`/api/v1/subscriptions/${row.id}/renew`).set(as(holder)).expect(200);
    expect(renewed.body).toMatchObject({ status: 'active', renewalCount: 1 });

    // The next run: its input (written by the worker from the decoded terms) holds the marker, nothing sealed, nothing in clear.
    const latest: WorkflowHandle<SubscriptionWorkflow> = stack.temporal.workflow.getHandle(workflowId);
    await waitUntil(async () => (await latest.describe()).runId !== first.firstExecutionRunId, 'the renewal continued as new');
    expect(await latest.query(subscriptionStateQuery)).toMatchObject({ status: 'active', renewalCount: 1 });
    const next = await exportOf(workflowId, (await latest.describe()).runId);
    const input = payloadsOf(next)[0];
    expect(JSON.parse(Buffer.from(input.data!).toString('utf8'))).toMatchObject({
      terms: { holderContact: erasedPersonalData(holder.id) },
      period: { renewalCount: 1 },
    });
    expect(next.includes(Buffer.from(PHONE))).toBe(false);
    expect(next.includes(Buffer.from(STREET))).toBe(false);
    await replays(await rawClient.workflow.getHandle(workflowId, first.firstExecutionRunId).fetchHistory(), workflowId);
    await stack.api.get(`/api/v1/subscriptions/${row.id}`).set(as(admin)).expect(200);
  }, 120_000);

  it('records the contact of a run started before marking, from the plain fields its terms carry', async () => {
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const subscriptionId = crypto.randomUUID();
    const legacy = termsFor(holder, subscriptionId, { holderPhone: PHONE, propertyAddress: ADDRESS });
    await stack.temporal.workflow.start<SubscriptionWorkflow>(subscriptionRun.type, {
      ...workflowStartOptions(stack.config.temporal.taskQueue, {
        workflowId: subscriptionRun.id(subscriptionId),
        tenantId: tenant.id,
        status: 'pending',
        summary: 'legacy',
      }),
      args: [{ terms: legacy }],
    });
    expect(await untilStatus(subscriptionId, 'active')).toMatchObject({ holderPhone: PHONE, propertyAddress: ADDRESS });
    // Both shapes read the same; an erased one reads as nothing.
    const marked = { ...legacy, holderPhone: undefined, propertyAddress: undefined, ...markedHolderContact(holder.id, legacy) };
    expect(holderContactOf(marked)).toEqual(holderContactOf(legacy));
    expect(holderContactOf({ ...marked, holderContact: erasedPersonalData(holder.id) })).toEqual({});
    expect(markedHolderContact(holder.id, {})).toEqual({});
  }, 90_000);

  it("measures the seal's cost on a start's input: an unmarked one, a marked one with its key cached, read, or made", async () => {
    const people = await buildUsers(100, tenant.id, () => ({ role: 'policyholder' }));
    const codec = new PersonDataCodec(personDataKeyring(undefined));
    const startInput = (person: User, contact: boolean): Payload =>
      defaultPayloadConverter.toPayload({
        terms: termsFor(
          person,
          crypto.randomUUID(),
          contact ? markedHolderContact(person.id, { holderPhone: PHONE, propertyAddress: ADDRESS }) : {},
        ),
      });
    // The median of single encodes: the machine is shared, and a pause of another process moves a mean, not a median.
    const microsEach = async (payloads: Payload[]) => {
      const each: number[] = [];
      for (const payload of payloads) {
        const started = process.hrtime.bigint();
        await codec.encode([payload]);
        each.push(Number(process.hrtime.bigint() - started) / 1000);
      }
      return each.sort((a, b) => a - b)[Math.floor(each.length / 2)];
    };
    const rounds = 2_000;
    const unmarked = await microsEach(Array.from({ length: rounds }, () => startInput(people[0], false)));
    // First use: each person's key is made (an insert and a read) as their first start is sealed.
    const made = await microsEach(people.map((person) => startInput(person, true)));
    const warm = await microsEach(Array.from({ length: rounds }, (_, i) => startInput(people[i % people.length], true)));
    // Past the cache's lifetime: each key is read again from its row.
    const realNow = Date.now.bind(Date);
    const later = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + PERSON_DATA_KEY_CACHE_MS + 1_000);
    let read: number;
    try {
      read = await microsEach(people.map((person) => startInput(person, true)));
    } finally {
      later.mockRestore();
    }
    process.stdout.write(
      `[terms-shredding] encode of a start's input (${startInput(people[0], true).data!.length} B): unmarked ${unmarked.toFixed(1)} µs, ` +
        `marked with the key cached ${warm.toFixed(1)} µs, key read ${read.toFixed(0)} µs, key made ${made.toFixed(0)} µs\n`,
    );
    expect(await PersonDataKey.count({ where: { userId: people.map((person) => person.id) } })).toBe(people.length);
    // The figures are for the record; the comparison catches a seal that reads the database while its key is cached.
    expect(warm).toBeLessThan(read);
  }, 120_000);
});
