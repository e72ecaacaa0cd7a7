/**
 * One trace from the HTTP request into the workflow and its activities: the API app, the client
 * interceptor, the worker (workflow interceptors bundled into the sandbox, activity interceptors)
 * on the dev server, with the SDK's in-memory exporter behind the same span processor the OTLP
 * exporter would use.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Subscription, User } from '../../src/models';
import { startTracing, type Tracing } from '../../src/observability/tracing';
import { postSignedWebhook } from '../../src/services/webhook';
import { bearer, buildSubscription } from '../support/factories';
import { recordHistory } from '../support/histories';
import { capturedLogger } from '../support/log-capture';
import { startTestStack, TestStack } from '../support/stack';
import { tracedWorkflowBundle } from '../support/traced-workflow-bundle';
import { eventually } from '../support/waiting';
import { ClaimsTeam, createClaimsTeam } from '../claims/fixtures';

const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${CALLER_TRACE_ID}-00f067aa0ba902b7-01`;

describe('tracing (dev server, in-memory exporter)', () => {
  const log = capturedLogger('api');
  let exporter: InMemorySpanExporter;
  let tracing: Tracing;
  let stack: TestStack;
  let team: ClaimsTeam;
  let subscription: Subscription;

  beforeAll(async () => {
    exporter = new InMemorySpanExporter();
    tracing = startTracing('insurflow-test', exporter);
    // Its workers run the traced bundle rather than each bundling the workflows again.
    await tracedWorkflowBundle();
    stack = await startTestStack({ worker: true, tracing, logger: log.logger });
    team = await createClaimsTeam();
    subscription = await buildSubscription({ policyholderId: team.claimant.id });
  });
  afterAll(async () => {
    await stack?.close();
    await tracing?.shutdown();
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user), traceparent: TRACEPARENT });
  const fileClaim = (amountClaimed: number, description: string) =>
    stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed, description })
      .expect(201);

  /** The spans of the caller's trace exported so far (the processor batches: flush first). */
  async function callerSpans(): Promise<ReadableSpan[]> {
    await tracing.spanProcessor.forceFlush();
    return exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === CALLER_TRACE_ID);
  }

  it('continues the caller traceparent through filing a claim and assigning it, into the workflow task and activities', async () => {
    const filed = await fileClaim(4000, 'Burst pipe flooded the kitchen');
    const requestId = filed.headers['x-request-id'];
    await stack.api.post(`/api/v1/claims/${filed.body.id}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);
    // The assignment e-mail is the last activity of the stage.
    await stack.smtp.waitFor((m) => m.to.includes(team.adjuster.email));

    // Workflow-side spans leave the sandbox after the workflow task that ends them completes.
    const chain = [
      'email send',
      'RunActivity:sendEmail',
      'StartActivity:sendEmail',
      'HandleUpdate:assign',
      'StartWorkflowUpdate:assign',
      'POST /api/v1/claims/:id/assign',
    ];
    const expected = [
      ...chain,
      'ValidateUpdate:assign',
      'RunActivity:recordClaimTransition',
      'StartWorkflow:claimWorkflow',
      'POST /api/v1/claims',
    ];
    const spans = await eventually(
      callerSpans,
      (found) => expected.every((name) => found.some((span) => span.name === name)),
      `the spans ${expected.join(', ')} to be exported`,
    );
    const byName = (name: string) => {
      const span = spans.find((candidate) => candidate.name === name);
      if (!span) throw new Error(`no span ${name} in the trace; found ${spans.map((found) => found.name).join(', ')}`);
      return span;
    };
    // Parent by parent, from the e-mail sent by the activity back to the caller's own span: the
    // workflow-side spans (update handler, activity scheduling) are made inside the workflow task.
    chain
      .slice(0, -1)
      .forEach((name, index) => expect([name, byName(name).parentSpanId]).toEqual([name, byName(chain[index + 1]).spanContext().spanId]));
    expect(byName('POST /api/v1/claims/:id/assign').parentSpanId).toBe('00f067aa0ba902b7');
    expect(byName('ValidateUpdate:assign').parentSpanId).toBe(byName('StartWorkflowUpdate:assign').spanContext().spanId);
    expect(byName('RunActivity:recordClaimTransition').instrumentationLibrary.name).toBe('@temporalio/interceptor-activity');
    expect(byName('StartWorkflow:claimWorkflow').parentSpanId).toBe(byName('POST /api/v1/claims').spanContext().spanId);
    // A traced run's history (trace context in its headers) must replay with tracing on or off.
    await recordHistory(stack.temporal.workflow.getHandle(filed.body.workflow.workflowId), 'claimWorkflow-traced');
    // The request log line names the trace, so a log search leads to the trace and back.
    expect(log.lines().find((line) => line.requestId === requestId && line.msg === 'request')).toMatchObject({
      traceId: CALLER_TRACE_ID,
      status: 201,
    });
    const fileSpan = spans.find((span) => span.name === 'POST /api/v1/claims')!;
    expect(fileSpan.parentSpanId).toBe('00f067aa0ba902b7');
    expect(fileSpan.attributes).toMatchObject({
      'http.route': '/api/v1/claims',
      'http.response.status_code': 201,
      'insurflow.request_id': requestId,
      'insurflow.tenant_id': team.tenant.id,
      'insurflow.user_id': team.claimant.id,
    });
  });

  it('sends traceparent on a webhook, so the receiver joins the trace', async () => {
    const received: http.IncomingHttpHeaders[] = [];
    const receiver = http.createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const traceId = await trace.getTracer('test').startActiveSpan('deliver', async (span) => {
        await postSignedWebhook({ url, secret: 'webhook-secret', deliveryId: 'delivery-1', body: { ok: true } }, 2000, {
          allowPrivateNetworks: true,
        });
        span.end();
        return span.spanContext().traceId;
      });
      expect(received).toHaveLength(1);
      expect(received[0].traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('counts workflows started per type and updates refused per reason on the API /metrics', async () => {
    const filed = await fileClaim(1000, 'Broken window');
    await stack.api.post(`/api/v1/claims/${filed.body.id}/transitions`).set(as(team.manager)).send({ to: 'approved' }).expect(409);
    const metrics = await stack.api.get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^insurflow_workflows_started_total\{workflow_type="claimWorkflow"\} 2$/m);
    expect(metrics.text).toMatch(/^insurflow_updates_rejected_total\{reason="InvalidTransition"\} 1$/m);
  });
});
