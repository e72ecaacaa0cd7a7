/**
 * The policy and user lists' default orders are read from an index however many rows share a
 * creation time (a bulk import writes a tenant's rows with one `now()`): a page reads its rows and
 * the next one, not every row of the tenant sorted (migration 0071). Checked on the plan of the
 * statement the list sends and on the page the API answers, ties broken by id.
 */
import type { ModelStatic, Model } from 'sequelize';
import { seedPolicyVolume, type PolicyVolume } from '../../bench/search-volume';
import { orderFrom } from '../../src/api/lists/pagination';
import { Subscription, User } from '../../src/models';
import { bearer, buildUser } from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';

describe('list orders read from an index', () => {
  let stack: TestStack;
  let volume: PolicyVolume;

  beforeAll(async () => {
    stack = await startTestStack();
    volume = await seedPolicyVolume(stack.db.sequelize, { holders: 1500, policies: 3000 });
  }, 120_000);
  afterAll(() => stack?.close());

  /** The plan of a list's first page in `ordering`, the statement as the list sends it. */
  async function planOfFirstPage(model: ModelStatic<Model>, ordering: string): Promise<string> {
    let sql = '';
    await model.findAll({
      where: { tenantId: volume.tenant.id },
      order: orderFrom(ordering),
      limit: 21,
      logging: (text) => {
        sql = text.replace(/^Executing \([^)]*\): /, '');
      },
    });
    const [rows] = await stack.db.sequelize.query(`EXPLAIN ${sql}`);
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
    ['policies, newest first', Subscription, '-createdAt', 'subscriptions_tenant_created_order'],
    ['users, oldest first', User, 'createdAt', 'users_tenant_created_order'],
  ] as const)('%s: the first page is an index scan in the list order, nothing sorted', async (_name, model, ordering, index) => {
    const plan = await planOfFirstPage(model as ModelStatic<Model>, ordering);
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
