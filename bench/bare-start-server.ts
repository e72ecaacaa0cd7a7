/**
 * The least `POST /subscriptions` has to do, as the floor the API's starts are measured against:
 * plain `node:http`, a `pg` Pool of 10 and a Temporal client; read the plan, start the run (the
 * same workflow with the same options as the API and bench/start-subscription.ts), insert the
 * pending row, answer 202 with it. No framework, no authentication, no validation, no idempotency
 * record, no audit event. Run as its own process by bench/starts.ts, like the API.
 * Environment: DATABASE_URL, PORT, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE.
 * Body: `{ "tenantId", "planId", "policyholderId" }`.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { subscriptionRun } from '../src/contracts/subscription';
import { startSubscription } from './start-subscription';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const taskQueue = process.env.TEMPORAL_TASK_QUEUE!;
const temporal = Connection.connect({ address: process.env.TEMPORAL_ADDRESS! }).then((connection) => new Client({ connection }));

interface StartRequest {
  tenantId: string;
  planId: string;
  policyholderId: string;
}

async function start({ tenantId, planId, policyholderId }: StartRequest): Promise<object | null> {
  const plans = await pool.query<{ name: string; coverage_amount: string; premium: string; duration_months: number }>(
    'SELECT name, coverage_amount, premium, duration_months FROM plans WHERE id = $1 AND tenant_id = $2 AND is_active AND deleted_at IS NULL',
    [planId, tenantId],
  );
  const plan = plans.rows[0];
  if (!plan) return null;
  const subscriptionId = crypto.randomUUID();
  const terms = {
    subscriptionId,
    tenantId,
    planId,
    planName: plan.name,
    policyholderId,
    coverageAmount: plan.coverage_amount,
    premium: plan.premium,
    durationMonths: plan.duration_months,
  };
  await startSubscription(await temporal, taskQueue, terms);
  const inserted = await pool.query(
    `INSERT INTO subscriptions (id, tenant_id, plan_id, policyholder_id, status, coverage_amount, premium, duration_months, workflow_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, now(), now())
     ON CONFLICT DO NOTHING RETURNING *`,
    [
      subscriptionId,
      tenantId,
      planId,
      policyholderId,
      plan.coverage_amount,
      plan.premium,
      plan.duration_months,
      subscriptionRun.id(subscriptionId),
    ],
  );
  return inserted.rows[0] ?? { id: subscriptionId };
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    start(JSON.parse(Buffer.concat(chunks).toString('utf8')) as StartRequest).then(
      (row) => {
        res.writeHead(row ? 202 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(row));
      },
      (err: Error) => {
        res.writeHead(500);
        res.end(err.message);
      },
    );
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => void Promise.all([pool.end(), temporal.then((client) => client.connection.close())])));
