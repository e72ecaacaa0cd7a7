import { Category, Plan, Tenant } from '../../src/models';
import { buildCategory, buildPlan, buildTenant } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

describe('public catalog: /catalog/:tenantSlug/categories and /plans', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let houses: Category;

  beforeAll(async () => {
    tenant = await buildTenant({ name: 'Acme Mutual' });
    houses = await buildCategory({ tenantId: tenant.id, name: 'Houses' });
    const flats = await buildCategory({ tenantId: tenant.id, name: 'Flats' });
    await buildPlan({ categoryId: houses.id, name: 'House Basic', coverageLevel: 'basic', premium: '120.00' });
    await buildPlan({
      categoryId: houses.id,
      name: 'House Premium',
      coverageLevel: 'premium',
      premium: '900.99',
      coverageAmount: '250000.00',
    });
    await buildPlan({ categoryId: flats.id, name: 'Flat Standard', premium: '260.00' });
    await buildPlan({ categoryId: flats.id, name: 'Flat Withdrawn', premium: '200.00', isActive: false });
    await buildPlan({ name: 'Other tenant plan' });
  });

  const names = (res: { body: { items: Array<{ name: string }> } }) => res.body.items.map((item) => item.name);

  it('serves active plans of the tenant with no token, with the filters, ordering and paging of /plans', async () => {
    const all = await stack.api.get(`/api/v1/catalog/${tenant.slug}/plans?ordering=-premium`).expect(200);
    expect(names(all)).toEqual(['House Premium', 'Flat Standard', 'House Basic']);
    expect(all.body.items[0]).toMatchObject({ premium: '900.99', coverageAmount: '250000.00', tenantId: tenant.id });

    const filtered = await stack.api
      .get(`/api/v1/catalog/${tenant.slug}/plans?categoryId=${houses.id}&minPremium=100&maxPremium=500`)
      .expect(200);
    expect(names(filtered)).toEqual(['House Basic']);
    const page = await stack.api.get(`/api/v1/catalog/${tenant.slug}/plans?ordering=coverageAmount&page=2&pageSize=2`).expect(200);
    expect(page.body.pagination).toEqual({ page: 2, pageSize: 2, total: 3, totalIsExact: true, hasMore: false, totalPages: 2 });
    expect(names(page)).toEqual(['House Premium']);

    const categories = await stack.api.get(`/api/v1/catalog/${tenant.slug}/categories`).expect(200);
    expect(names(categories)).toEqual(['Flats', 'Houses']);
  });

  it('refuses bad input with 400 and unknown or suspended tenants with 404', async () => {
    const withdrawn = await stack.api.get(`/api/v1/catalog/${tenant.slug}/plans?isActive=false`).expect(400);
    expect(withdrawn.body.error.details).toEqual([expect.objectContaining({ field: 'query.isActive' })]);
    await stack.api.get(`/api/v1/catalog/${tenant.slug}/plans?minPremium=500&maxPremium=100`).expect(400);
    await stack.api.get(`/api/v1/catalog/${tenant.slug}/plans?ordering=name`).expect(400);
    await stack.api.get(`/api/v1/catalog/${'x'.repeat(64)}/plans`).expect(400);
    await stack.api.get(`/api/v1/catalog/Not%20A%20Slug/plans`).expect(400);

    const missing = await stack.api.get('/api/v1/catalog/no-such-company/plans').expect(404);
    expect(missing.body.error.code).toBe('not_found');
    await stack.api.get('/api/v1/catalog/no-such-company/categories').expect(404);
    const suspended = await buildTenant();
    await suspended.update({ status: 'suspended' });
    await stack.api.get(`/api/v1/catalog/${suspended.slug}/plans`).expect(404);
  });

  it('sends Cache-Control and an ETag, answers 304 to If-None-Match, and a new ETag once the catalog changes', async () => {
    const url = `/api/v1/catalog/${tenant.slug}/plans`;
    const first = await stack.api.get(url).expect(200);
    expect(first.headers['cache-control']).toBe('public, max-age=60');
    const tag = first.headers.etag;
    expect(tag).toMatch(/^W\/".+"$/);

    const again = await stack.api.get(url).set('If-None-Match', tag).expect(304);
    expect(again.text).toBe('');
    await stack.api.get(url).set('If-None-Match', 'W/"something-else"').expect(200);

    // Written past the API, as an operator's SQL would be: the API process hears of it with the
    // plans' change notice, within milliseconds (docs/catalog.md, Kept plans).
    await Plan.update({ premium: '125.00' }, { where: { tenantId: tenant.id, name: 'House Basic' } });
    const changed = await eventually(
      async () => {
        const answer = await stack.api.get(url).set('If-None-Match', tag);
        return { status: answer.status, etag: answer.headers.etag, items: answer.body.items as Plan[] | undefined };
      },
      (answer) => answer.status === 200,
      'the changed catalog is answered in full',
    );
    expect(changed.etag).not.toBe(tag);
    expect(changed.items?.find((p) => p.name === 'House Basic')?.premium).toBe('125.00');
  });

  it('is described in the OpenAPI document as public', async () => {
    const doc = await stack.api.get('/api/openapi.json').expect(200);
    const operation = doc.body.paths['/api/v1/catalog/{tenantSlug}/plans'].get;
    expect(operation.security).toEqual([]);
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['tenantSlug', 'categoryId', 'minPremium', 'ordering']),
    );
  });

  // Last: it uses up this client's allowance.
  it('rate-limits each client: past the per-minute allowance it answers 429', async () => {
    const allowance = stack.config.rateLimit.catalogPerMinute;
    const statuses: number[] = [];
    for (let i = 0; i <= allowance; i++) statuses.push((await stack.api.get(`/api/v1/catalog/${tenant.slug}/categories`)).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = await stack.api.get('/api/v1/catalog/no-such-company/plans').expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
  });
});
