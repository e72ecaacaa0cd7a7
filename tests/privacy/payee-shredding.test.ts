/**
 * A claim payment's payee in workflow histories (docs/privacy.md, Personal data in workflow
 * histories): the name and IBAN travel through the claim's run sealed with the claimant's data key,
 * so a history exported from Temporal holds them nowhere in clear while the API answers them; while
 * the claim is open the claimant's erasure is refused (409 claim_open); once it is closed and the
 * claimant erased (POST /privacy/erasures) exports made before and after decode with the
 * erased marker in their place, the run still replays and the API still lists the claim's payments
 * with their amounts, the payee as the payments row keeps it, and the claim is not reopened (409
 * claimant_erased). A run carrying a plain payee, as runs
 * asked before marking do, is still recorded and answered; one whose payee arrives erased stays out
 * of payment batches. Real API, worker, PostgreSQL, Temporal.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { requestPaymentUpdate } from '../../src/contracts/claim-payments';
import { allRoutes } from '../../src/api/routes';
import { Claim, ClaimPayment, PersonDataKey, TenantSettings, User } from '../../src/models';
import { temporalDataConverter } from '../../src/services/temporal';
import { erasedPersonalData } from '../../src/shared/personal-data';
import { requiredEnv } from '../support/env';
import { bearer, buildPlan, buildSubscription, buildUser } from '../support/factories';
import { decodedTexts, exportedHistory, payloadsOfExport, sealedFor } from '../support/person-data';
import { markRunTerminated, restoreRun } from '../support/run-drift';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';
import { type ClaimsTeam, createClaimsTeam, fileAssignedClaim } from '../claims/fixtures';

const CLAIMANT_ACCOUNT = { kind: 'claimant', name: 'Hildegard Quenstedt-Payee', iban: 'NL91ABNA0417164300' };
const GLAZIER = { kind: 'third_party', name: 'Glaserei Zwetschke GmbH', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' };
const DEBTOR = { name: 'Insurflow Versicherung AG', iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPPXXX' };
const IN_CLEAR = [CLAIMANT_ACCOUNT.name, CLAIMANT_ACCOUNT.iban, GLAZIER.name, GLAZIER.iban, 'Quenstedt', 'Zwetschke'];

describe('crypto-shredding of a claim payment’s payee', () => {
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-payee-documents-'));
  const stack = testStackOfBlock({ worker: true, env: { DOCUMENTS_DIR: documentsDir } });
  /** A client on the same server without any codec: what an export from Temporal holds. */
  let rawClient: Client;

  beforeAll(async () => {
    rawClient = new Client({ connection: stack.temporal.connection, namespace: stack.config.temporal.namespace });
  });
  afterAll(async () => {
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  /** The answer matches its route's declared response schema, which the OpenAPI document publishes. */
  const conforms = (method: string, routePath: string, body: unknown) => {
    const spec = allRoutes(stack.config).find((r) => r.method === method && r.path === routePath)!;
    expect(spec.response.schema!.validate(body, { allowUnknown: false, abortEarly: false }).error?.message).toBeUndefined();
  };

  /** A claims team whose adjuster pays up to 1,000 alone, and a 6,000 claim of its claimant, assigned to the adjuster. */
  async function assignedClaim(): Promise<{ team: ClaimsTeam; claim: Claim }> {
    const team = await createClaimsTeam();
    await TenantSettings.upsert({ tenantId: team.tenant.id, values: { approvalLimitAdjuster: 1000 } });
    const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'EUR' });
    const subscription = await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id });
    const claim = await Claim.findByPk(await fileAssignedClaim(stack, team, subscription), { rejectOnEmpty: true });
    return { team, claim };
  }

  it('keeps the payee out of the exported history; after the claimant’s erasure both exports show it erased, the run replays, the API lists the payments', async () => {
    const { team, claim } = await assignedClaim();
    const admin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    const pay = (body: object) =>
      stack.api
        .post(`/api/v1/claims/${claim.id}/payments`)
        .set(as(team.adjuster))
        .send({ costType: 'indemnity', category: 'other', ...body });
    const listed = async () => (await stack.api.get(`/api/v1/claims/${claim.id}/payments`).set(as(team.manager)).expect(200)).body;

    // Before erasure: the API answers the payees in clear, from the run's answer and from the rows.
    const own = await pay({ amount: 500, payee: CLAIMANT_ACCOUNT }).expect(201);
    expect(own.body.payment.payee).toEqual({ ...CLAIMANT_ACCOUNT, bic: null });
    const glazier = await pay({ amount: '2000.00', payee: GLAZIER }).expect(202);
    expect(glazier.body.payment).toMatchObject({ status: 'requested', payee: GLAZIER });
    conforms('post', '/claims/:id/payments', glazier.body);
    const before = await listed();
    expect(before.items.map((p: ClaimPayment) => [p.amount, p.payeeName, p.payeeIban])).toEqual([
      ['500.00', CLAIMANT_ACCOUNT.name, CLAIMANT_ACCOUNT.iban],
      ['2000.00', GLAZIER.name, GLAZIER.iban],
    ]);

    // The export: neither name nor IBAN in clear. Each request's Update argument, its answer and the
    // recordPayment activity's input carry them sealed with the claimant's key.
    const exported = Buffer.from(
      temporal.api.history.v1.History.encode(await rawClient.workflow.getHandle(claim.workflowId).fetchHistory()).finish(),
    );
    for (const text of IN_CLEAR) expect(exported.includes(Buffer.from(text))).toBe(false);
    const sealedIn = sealedFor(payloadsOfExport(exported), team.claimant.id);
    expect(sealedIn.length).toBeGreaterThanOrEqual(6);
    const opened = (await decodedTexts(stack.config.temporal, sealedIn)).join('\n');
    for (const { name, iban } of [CLAIMANT_ACCOUNT, GLAZIER]) {
      expect(opened).toContain(`"name":{"dataSubjectId":"${team.claimant.id}","personal":"${name}"}`);
      expect(opened).toContain(`"iban":{"dataSubjectId":"${team.claimant.id}","personal":"${iban}"}`);
    }

    // While the claim is open its payments need the payee: the claimant's erasure is refused, nothing changes.
    const askErasure = (idempotencyKey: string) =>
      stack.api
        .post('/api/v1/privacy/erasures')
        .set(as(admin))
        .set('Idempotency-Key', idempotencyKey)
        .send({ userId: team.claimant.id, reason: 'Data subject request 2026-207' });
    const refusedErasure = await askErasure(`payee-erasure-open-${claim.id}`).expect(409);
    expect(refusedErasure.body.error).toMatchObject({ code: 'claim_open', details: [{ claimId: claim.id }] });
    expect((await listed()).items.map((p: ClaimPayment) => p.payeeName)).toEqual([CLAIMANT_ACCOUNT.name, GLAZIER.name]);

    // A decision answers the payee; the payments are issued and cleared, the claim approved at what was paid, and its run closes it.
    const approved = await stack.api
      .post(`/api/v1/claims/${claim.id}/payments/${glazier.body.payment.id}/approve`)
      .set(as(team.senior))
      .expect(200);
    expect(approved.body.payment).toMatchObject({ status: 'approved', amount: '2000.00', payee: GLAZIER });
    conforms('post', '/claims/:id/payments/:paymentId/approve', approved.body);
    await stack.api.post('/api/v1/payment-batches').set(as(team.manager)).send({ debtor: DEBTOR }).expect(201);
    for (const { id } of [own.body.payment, glazier.body.payment])
      await stack.api.post(`/api/v1/claims/${claim.id}/payments/${id}/clear`).set(as(team.manager)).expect(200);
    const move = (user: User, body: object) =>
      stack.api.post(`/api/v1/claims/${claim.id}/transitions`).set(as(user)).send(body).expect(200);
    await move(team.adjuster, { to: 'under_review' });
    await move(team.adjuster, { to: 'waiting_approval' });
    await move(team.manager, { to: 'approved', approvedAmount: 2500 });
    await eventually(
      () => Claim.findByPk(claim.id, { rejectOnEmpty: true }),
      (row) => row.status === 'closed',
      'the claim closed',
    );
    const history = await rawClient.workflow.getHandle(claim.workflowId).fetchHistory();

    // A real erasure of the claimant, now that the claim is closed: its data_key step destroys their key.
    const erasure = await askErasure(`payee-erasure-${claim.id}`).expect(202);
    await eventually(
      async () => (await stack.api.get(`/api/v1/privacy/erasures/${erasure.body.id}`).set(as(admin)).expect(200)).body.status,
      (status) => status === 'completed',
      'the erasure completed',
      30_000,
    );
    expect(await PersonDataKey.findByPk(team.claimant.id)).toMatchObject({ dataKey: null, destroyedAt: expect.any(Date) });

    // An export made before and one made now both decode, with the marker where name and IBAN were.
    const later = await exportedHistory(rawClient, claim.workflowId);
    const marker = JSON.stringify(erasedPersonalData(team.claimant.id));
    for (const anExport of [exported, later]) {
      const decoded = await decodedTexts(stack.config.temporal, payloadsOfExport(anExport));
      for (const text of IN_CLEAR) expect(decoded.join('\n')).not.toContain(text);
      const erased = decoded.filter((text) => text.includes(`"name":${marker}`) && text.includes(`"iban":${marker}`));
      expect(erased).toHaveLength(sealedFor(payloadsOfExport(anExport), team.claimant.id).length);
    }

    // The run still replays: its Update arguments and activity inputs decode to the marker.
    await Worker.runReplayHistory(
      {
        workflowBundle: { codePath: requiredEnv('INSURFLOW_TEST_WORKFLOW_BUNDLE') },
        dataConverter: temporalDataConverter(stack.config.temporal),
      },
      history,
      claim.workflowId,
    );

    // The API still lists the payments with their amounts, the payee as the erasure left the rows:
    // the claimant's name is the pseudonym, the glazier's (not the claimant's) stays, accounts stay.
    const pseudonym = (await User.findByPk(team.claimant.id, { rejectOnEmpty: true })).fullName;
    expect(pseudonym).toMatch(/^erased-[0-9a-f]{16}$/);
    const after = await listed();
    conforms('get', '/claims/:id/payments', after);
    expect(after.items.map((p: ClaimPayment) => [p.amount, p.payeeName, p.payeeIban])).toEqual([
      ['500.00', pseudonym, CLAIMANT_ACCOUNT.iban],
      ['2000.00', GLAZIER.name, GLAZIER.iban],
    ]);

    // The claim is kept as a record: it is not reopened (nobody could be told or paid), so it takes no new payment.
    const reopening = await stack.api
      .post(`/api/v1/claims/${claim.id}/reopen`)
      .set(as(team.manager))
      .send({ reason: 'The glazing cracked again' })
      .expect(409);
    expect(reopening.body.error).toMatchObject({ code: 'claimant_erased' });
    expect(await Claim.findByPk(claim.id, { rejectOnEmpty: true })).toMatchObject({ status: 'closed', workflowId: claim.workflowId });
    expect(await ClaimPayment.count({ where: { claimId: claim.id, kind: 'partial' } })).toBe(2);
  });

  it('records and answers a plain payee, as a run asked before marking carries it', async () => {
    const { team, claim } = await assignedClaim();
    const handle = stack.temporal.workflow.getHandle(claim.workflowId);
    const plain = { ...GLAZIER, kind: 'third_party' as const };
    const asked = await handle.executeUpdate(requestPaymentUpdate, {
      args: [
        {
          actor: { id: team.adjuster.id, role: 'adjuster' },
          paymentId: crypto.randomUUID(),
          costType: 'indemnity',
          category: 'other',
          amount: 2000,
          currency: 'EUR',
          payee: plain,
        },
      ],
    });
    expect(asked.payment).toMatchObject({ status: 'requested', payee: plain });
    const row = await ClaimPayment.findByPk(asked.payment.id, { rejectOnEmpty: true });
    expect([row.payeeName, row.payeeIban, row.payeeBic]).toEqual([GLAZIER.name, GLAZIER.iban, GLAZIER.bic]);

    const approved = await stack.api
      .post(`/api/v1/claims/${claim.id}/payments/${asked.payment.id}/approve`)
      .set(as(team.senior))
      .expect(200);
    expect(approved.body.payment).toMatchObject({ status: 'approved', payee: GLAZIER });
  });

  it('leaves a payee erased on its way to the run out of payment batches; the payment is answered without it and can be voided', async () => {
    const { team, claim } = await assignedClaim();
    await stack.api
      .post(`/api/v1/claims/${claim.id}/payments`)
      .set(as(team.adjuster))
      .send({ costType: 'indemnity', category: 'other', amount: 500, payee: GLAZIER })
      .expect(201);
    // What the run receives when the claimant's erasure commits between the command's check and the sealing.
    const erased = erasedPersonalData(team.claimant.id);
    const asked = await stack.temporal.workflow.getHandle(claim.workflowId).executeUpdate(requestPaymentUpdate, {
      args: [
        {
          actor: { id: team.adjuster.id, role: 'adjuster' },
          paymentId: crypto.randomUUID(),
          costType: 'indemnity',
          category: 'other',
          amount: 300,
          currency: 'EUR',
          payee: { kind: 'third_party', name: erased, iban: erased, bic: null },
        },
      ],
    });
    expect(asked.payment.status).toBe('approved');
    const row = await ClaimPayment.findByPk(asked.payment.id, { rejectOnEmpty: true });
    expect([row.payeeName, row.payeeIban]).toEqual([null, null]);

    const batch = await stack.api.post('/api/v1/payment-batches').set(as(team.manager)).send({ debtor: DEBTOR }).expect(201);
    expect(batch.body).toMatchObject({ paymentCount: 1, total: '500.00' });
    expect((await row.reload()).status).toBe('approved');

    const voided = await stack.api.post(`/api/v1/claims/${claim.id}/payments/${asked.payment.id}/void`).set(as(team.adjuster)).expect(200);
    expect(voided.body.payment).toMatchObject({ status: 'voided', payee: { kind: 'third_party', name: null, iban: null, bic: null } });
    conforms('post', '/claims/:id/payments/:paymentId/void', voided.body);
  });

  it('marks the payees a restored run takes over from the rows: its input holds them sealed, its decisions answer them', async () => {
    const { team, claim } = await assignedClaim();
    const admin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    const asked = await stack.api
      .post(`/api/v1/claims/${claim.id}/payments`)
      .set(as(team.adjuster))
      .send({ costType: 'indemnity', category: 'other', amount: '2000.00', payee: GLAZIER })
      .expect(202);
    // The run gone, as the reconciler marks it (docs/operating.md, Repairing a row).
    await stack.temporal.workflow.getHandle(claim.workflowId).terminate('payee test: the run is gone');
    await markRunTerminated(stack, 'claims', claim.id);
    const restored = await restoreRun(stack, admin, 'claims', claim.id).expect(200);
    const { workflowId } = restored.body.workflow;
    await eventually(
      () => stack.temporal.workflow.getHandle(workflowId).describe(),
      (run) => run.status.name === 'RUNNING',
      `${workflowId} running`,
    );

    const exported = await exportedHistory(rawClient, workflowId);
    for (const text of [GLAZIER.name, GLAZIER.iban]) expect(exported.includes(Buffer.from(text))).toBe(false);
    expect(sealedFor(payloadsOfExport(exported), team.claimant.id)).not.toHaveLength(0);
    const approved = await stack.api
      .post(`/api/v1/claims/${claim.id}/payments/${asked.body.payment.id}/approve`)
      .set(as(team.senior))
      .expect(200);
    expect(approved.body.payment).toMatchObject({ status: 'approved', amount: '2000.00', payee: GLAZIER });
  });
});
