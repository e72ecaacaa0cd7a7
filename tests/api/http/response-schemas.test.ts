/**
 * The OpenAPI document's response schemas are the routes' own `response.schema` (src/api/http/route.ts):
 * here real answers of the main GET routes, on the real API, worker, PostgreSQL and Temporal, are
 * validated against them with Joi, live workflow state included, so a field the API answers and
 * the document does not declare (or declares otherwise) fails here and not at a client.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Joi from 'joi';
import { allRoutes } from '../../../src/api/routes';
import type { RouteSpec } from '../../../src/api/http/route';
import { Subscription, type User } from '../../../src/models';
import { createClaimsTeam, type ClaimsTeam } from '../../claims/fixtures';
import { bearer, buildPlan, buildSubscription } from '../../support/factories';
import { testStackOfBlock } from '../../support/stack';
import { eventually, waitUntil } from '../../support/waiting';

describe('real answers match their declared response schemas', () => {
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-schema-documents-'));
  const stack = testStackOfBlock({ worker: true, env: { DOCUMENTS_DIR: documentsDir } });
  let specs: RouteSpec[];
  let team: ClaimsTeam;

  beforeAll(async () => {
    specs = allRoutes(stack.config);
    team = await createClaimsTeam();
  });
  afterAll(async () => {
    fs.rmSync(documentsDir, { recursive: true, force: true });
  });

  function declaredSchema(path: string): Joi.Schema {
    const spec = specs.find((s) => s.method === 'get' && s.path === path);
    expect(spec?.response.schema).toBeDefined();
    return spec!.response.schema!;
  }

  /** GETs `url` as `user` and checks the answer against the schema declared for `path`, unknown keys refused. */
  async function expectDeclared(path: string, url: string, user: User): Promise<Record<string, unknown>> {
    const response = await stack.api.get(`/api/v1${url}`).set('Authorization', bearer(stack.config, user)).expect(200);
    const { error } = declaredSchema(path).validate(response.body, { allowUnknown: false, abortEarly: false });
    expect(error?.details.map((d) => `${d.path.join('.')}: ${d.message}`) ?? []).toEqual([]);
    return response.body as Record<string, unknown>;
  }

  it('GET /claims/:id with the live state of its run, /claims, /claims/:id/documents, /subscriptions/:id, /subscriptions, /plans/:id, /plans and /auth/me', async () => {
    const plan = await buildPlan({ tenantId: team.tenant.id });
    const subscribed = await stack.api
      .post('/api/v1/subscriptions')
      .set('Authorization', bearer(stack.config, team.claimant))
      .send({ planId: plan.id })
      .expect(202);
    await waitUntil(
      async () => (await Subscription.findByPk(subscribed.body.id))?.status === 'active',
      'the subscription activated by its run',
      20_000,
    );
    const subscription = await Subscription.findByPk(subscribed.body.id, { rejectOnEmpty: true });
    const filed = await stack.api
      .post('/api/v1/claims')
      .set('Authorization', bearer(stack.config, team.claimant))
      .send({
        subscriptionId: subscription.id,
        incidentDate: subscription.startDate,
        amountClaimed: 640,
        description: 'Cracked windscreen',
      })
      .expect(201);
    // The live state (with its next deadline) once the run answers its query.
    await eventually(
      () => expectDeclared('/claims/:id', `/claims/${filed.body.id}`, team.manager),
      (body) => body.stale === false && body.state !== null,
      'the live state of the claim run',
      20_000,
    );
    await expectDeclared('/claims', '/claims', team.manager);
    await stack.api
      .post(`/api/v1/claims/${filed.body.id}/documents`)
      .set('Authorization', bearer(stack.config, team.claimant))
      .send({ fileName: 'windscreen.pdf', contentType: 'application/pdf', contentBase64: Buffer.from('%PDF-1.4\n').toString('base64') })
      .expect(201);
    const documents = await expectDeclared('/claims/:id/documents', `/claims/${filed.body.id}/documents`, team.claimant);
    expect(documents.pagination).toEqual({ page: 1, pageSize: 20, total: 1, totalIsExact: true, hasMore: false, totalPages: 1 });
    await expectDeclared('/subscriptions/:id', `/subscriptions/${subscription.id}`, team.claimant);
    await expectDeclared('/subscriptions', '/subscriptions', team.claimant);
    await expectDeclared('/plans/:id', `/plans/${subscription.planId}`, team.claimant);
    await expectDeclared('/plans', '/plans', team.claimant);
    await expectDeclared('/auth/me', '/auth/me', team.claimant);
  });

  it('GET /me/tasks with an assigned claim, and /operations/:id of a bulk reassignment', async () => {
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    const filed = await stack.api
      .post('/api/v1/claims')
      .set('Authorization', bearer(stack.config, team.claimant))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 300, description: 'Hail dent' })
      .expect(201);
    await stack.api
      .post(`/api/v1/claims/${filed.body.id}/assign`)
      .set('Authorization', bearer(stack.config, team.manager))
      .send({ assigneeId: team.adjuster.id })
      .expect(200);
    const inbox = await expectDeclared('/me/tasks', '/me/tasks', team.adjuster);
    expect(inbox.items).toEqual([expect.objectContaining({ kind: 'claim', id: filed.body.id })]);

    const started = await stack.api
      .post('/api/v1/operations/claims/reassign')
      .set('Authorization', bearer(stack.config, team.manager))
      .send({ fromUserId: team.adjuster.id, toUserId: team.otherAdjuster.id })
      .expect(202);
    await eventually(
      () => expectDeclared('/operations/:id', `/operations/${started.body.operation.id}`, team.manager),
      (body) => body.status === 'completed',
      'the bulk reassignment completed',
      20_000,
    );
  });
});
