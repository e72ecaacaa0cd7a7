/**
 * The limit the list endpoints are measured against: plain `node:http` and a `pg` Pool of 10
 * running the same count and page queries as `GET /plans` and `GET /claims`, with no framework,
 * no authentication and no validation. Run as its own process by bench/lists.ts, like the API.
 * Environment: DATABASE_URL, PORT, TENANT_ID (the tenant both lists read); STATEMENTS_FILE, a JSON
 * object of named statement lists taken from the API (bench/captured-sql.ts), each served at
 * `/captured/<name>`: its statements run in parallel, their rows the answer (bench/list-growth.ts).
 */
import fs from 'node:fs';
import http from 'node:http';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const tenantId = process.env.TENANT_ID!;

const PLAN_COLUMNS = [
  'id',
  'tenantId',
  'categoryId',
  'name',
  'description',
  'coverageLevel',
  'coverageAmount',
  'premium',
  'durationMonths',
  'isActive',
  'createdAt',
  'updatedAt',
  'deletedAt',
];
const CLAIM_COLUMNS = [
  'id',
  'tenantId',
  'claimNumber',
  'subscriptionId',
  'claimantId',
  'filedById',
  'incidentDate',
  'description',
  'amountClaimed',
  'amountApproved',
  'status',
  'assigneeId',
  'denialReason',
  'workflowId',
  'runId',
  'createdAt',
  'updatedAt',
];

const selectList = (columns: string[]) => columns.map((c) => `${c.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`)} AS "${c}"`).join(', ');

interface ListQuery {
  where: string;
  order: string;
  columns: string[];
  table: string;
}

const PLANS: ListQuery = {
  table: 'plans',
  columns: PLAN_COLUMNS,
  where: 'deleted_at IS NULL AND is_active = true AND tenant_id = $1 AND coverage_level = $2 AND premium <= $3',
  order: 'premium ASC, id ASC',
};
const CLAIMS: ListQuery = { table: 'claims', columns: CLAIM_COLUMNS, where: 'tenant_id = $1', order: 'created_at DESC, id ASC' };

/** Count and page in parallel on two pooled connections, as the API does. */
async function page(list: ListQuery, values: unknown[], pageNumber: number, pageSize: number) {
  const [count, rows] = await Promise.all([
    pool.query<{ count: string }>(`SELECT count(*) AS count FROM ${list.table} WHERE ${list.where}`, values),
    pool.query(
      `SELECT ${selectList(list.columns)} FROM ${list.table} WHERE ${list.where} ORDER BY ${list.order} LIMIT ${pageSize} OFFSET ${(pageNumber - 1) * pageSize}`,
      values,
    ),
  ]);
  const total = Number(count.rows[0].count);
  return { items: rows.rows, pagination: { page: pageNumber, pageSize, total, totalPages: Math.ceil(total / pageSize) } };
}

interface Statement {
  text: string;
  values: unknown[];
}

const captured: Record<string, Statement[]> = process.env.STATEMENTS_FILE
  ? JSON.parse(fs.readFileSync(process.env.STATEMENTS_FILE, 'utf8'))
  : {};

async function answer(url: URL): Promise<object | null> {
  const statements = url.pathname.startsWith('/captured/') ? captured[url.pathname.slice('/captured/'.length)] : undefined;
  if (statements) return Promise.all(statements.map(async ({ text, values }) => (await pool.query(text, values)).rows));
  const pageNumber = Number(url.searchParams.get('page') ?? 1);
  const pageSize = Number(url.searchParams.get('pageSize') ?? 20);
  if (url.pathname === '/plans') {
    return page(PLANS, [tenantId, url.searchParams.get('coverageLevel'), url.searchParams.get('maxPremium')], pageNumber, pageSize);
  }
  if (url.pathname === '/claims') {
    const result = await page(CLAIMS, [tenantId], pageNumber, pageSize);
    return { ...result, items: result.items.map(({ workflowId, runId, ...fields }) => ({ ...fields, workflow: { workflowId, runId } })) };
  }
  return null;
}

const server = http.createServer((req, res) => {
  answer(new URL(req.url ?? '/', 'http://bare')).then(
    (body) => {
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    },
    (err: Error) => {
      res.writeHead(500);
      res.end(err.message);
    },
  );
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => void pool.end()));
