/**
 * The policy and user lists' default orders are read from an index however many rows share a
 * creation time (a bulk import writes a tenant's rows with one `now()`): a page reads its rows and
 * the next one, not every row of the tenant sorted (migration 0071). Checked on the plan of the
 * statement the API sends for the page, taken at the driver, and on the page it answers, ties
 * broken by id.
 */
import { captureStatements } from '../../../bench/captured-sql';
import { seedPolicyVolume, type PolicyVolume } from '../../../bench/search-volume';
import { type User } from '../../../src/models';
import { bearer, buildUser } from '../../support/factories';
import { testStackOfBlock } from '../../support/stack';

describe('list orders read from an index', () => {
  const stack = testStackOfBlock();
  let volume: PolicyVolume;

  beforeAll(async () => {
    volume = await seedPolicyVolume(stack.db.sequelize, { holders: 1500, policies: 3000 });
  }, 120_000);

  /** The plan of the statement that reads the page of `table` when `user` asks for `path`. */
  async function planOfPage(path: string, user: User, table: string): Promise<string> {
    const sent = await captureStatements(() =>
      stack.api
        .get(path)
        .set({ Authorization: bearer(stack.config, user) })
        .expect(200),
    );
    const pages = sent.filter(({ text }) => text.includes(`FROM "${table}"`) && text.includes('ORDER BY'));
    expect(pages).toHaveLength(1);
    const [{ text, values }] = pages;
    const [rows] = await stack.db.sequelize.query(`EXPLAIN ${text}`, values.length ? { bind: values } : {});
    return (rows as Array<{ 'QUERY PLAN': string }>).map((r) => r['QUERY PLAN']).join('\n');
  }

  it('seeds rows that share one creation time, as a bulk import does', async () => {
    const [[shared]] = await stack.db.sequelize.query(
      'SELECT count(DISTINCT created_at) AS times, count(*) AS policies FROM subscriptions WHERE tenant_id = :tenantId',
      { replacements: { tenantId: volume.tenant.id } },
    );
    expect(shared).toEqual({ times: '1', policies: '3000' });
  });

  it.each([
    ['policies, newest first', '/api/v1/subscriptions', 'adjuster', 'subscriptions', 'subscriptions_tenant_created_order'],
    ['users, oldest first', '/api/v1/users', 'tenant_admin', 'users', 'users_tenant_created_order'],
  ] as const)('%s: the first page is an index scan in the list order, nothing sorted', async (_name, path, role, table, index) => {
    const plan = await planOfPage(path, await buildUser({ tenantId: volume.tenant.id, role }), table);
    expect(plan).toContain(`Index Scan using ${index}`);
    expect(plan).not.toMatch(/Sort/);
  });

  it('answers the first page of policies by id among rows created together', async () => {
    const adjuster = await buildUser({ tenantId: volume.tenant.id, role: 'adjuster' });
    const res = await stack.api
      .get('/api/v1/subscriptions?pageSize=5')
      .set({ Authorization: bearer(stack.config, adjuster) })
      .expect(200);
    const [expected] = await stack.db.sequelize.query(
      'SELECT id FROM subscriptions WHERE tenant_id = :tenantId ORDER BY created_at DESC, id LIMIT 5',
      { replacements: { tenantId: volume.tenant.id } },
    );
    expect(res.body.items.map((s: { id: string }) => s.id)).toEqual((expected as Array<{ id: string }>).map((r) => r.id));
  });
});
