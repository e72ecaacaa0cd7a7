/**
 * `listRoute`'s filters narrow the rows the access rule lets the caller see, never widen them: a
 * filter on a column the rule's scope restricts (a policyholder's claims are their own, by
 * `claimantId`) is one more condition, not a replacement of the scope's. Checked on a list declared
 * with it for the test, mounted as the API mounts its routes, on the real database.
 */
import Koa from 'koa';
import supertest from 'supertest';
import { claimAccess } from '../../../src/access/claims';
import { errorHandler } from '../../../src/api/http/middleware/error-handler';
import { mountRoutes } from '../../../src/api/http/mount';
import { listRoute } from '../../../src/api/http/row-route';
import { orderingParam, pageQueryKeys } from '../../../src/api/lists/pagination';
import { Claim, User } from '../../../src/models';
import { object } from '../../../src/shared/typed-schema';
import { uuid } from '../../../src/api/http/common-schemas';
import { bearer, buildClaim, buildTenant, buildUser } from '../../support/factories';
import { startTestStack, TestStack } from '../../support/stack';

describe('listRoute filters', () => {
  let stack: TestStack;
  let api: ReturnType<typeof supertest>;
  let holder: User;
  let neighbour: User;
  let adjuster: User;
  let holdersClaim: Claim;
  let neighboursClaim: Claim;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  beforeAll(async () => {
    stack = await startTestStack();
    const tenant = await buildTenant();
    holdersClaim = await buildClaim({ tenantId: tenant.id });
    neighboursClaim = await buildClaim({ tenantId: tenant.id });
    [holder, neighbour] = await Promise.all(
      [holdersClaim, neighboursClaim].map((claim) => User.findByPk(claim.claimantId, { rejectOnEmpty: true })),
    );
    adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    // A list whose filter names the very column the policyholder's scope restricts.
    const claims = listRoute({
      path: '/claims-by-claimant',
      summary: 'Claims, filtered by claimant',
      tag: 'claims',
      verb: 'listClaims',
      model: Claim,
      access: claimAccess,
      query: object({ ...pageQueryKeys, ordering: orderingParam(['createdAt'], 'createdAt'), claimantId: uuid }),
      schema: object({}).unknown(),
      filters: ['claimantId'],
    });
    const app = new Koa();
    app.context.services = stack.services;
    app.use(errorHandler());
    app.use(mountRoutes([claims], stack.config).routes());
    api = supertest(app.callback());
  });
  afterAll(() => stack?.close());

  const idsOf = (body: { items: Claim[] }) => body.items.map((claim) => claim.id);

  it('a filter on a column the scope restricts cannot widen it: a policyholder asking for another claimant’s claims gets none', async () => {
    const asked = await api.get('/claims-by-claimant').set(as(holder)).query({ claimantId: neighbour.id }).expect(200);
    expect(asked.body).toMatchObject({ items: [], pagination: { total: 0 } });
    // Their own, asked for by name, are still theirs.
    const own = await api.get('/claims-by-claimant').set(as(holder)).query({ claimantId: holder.id }).expect(200);
    expect(idsOf(own.body)).toEqual([holdersClaim.id]);
  });

  it('a filter still narrows a scope that does not restrict its column: staff see one claimant’s claims', async () => {
    const asked = await api.get('/claims-by-claimant').set(as(adjuster)).query({ claimantId: neighbour.id }).expect(200);
    expect(idsOf(asked.body)).toEqual([neighboursClaim.id]);
    const all = await api.get('/claims-by-claimant').set(as(adjuster)).expect(200);
    expect(idsOf(all.body).sort()).toEqual([holdersClaim.id, neighboursClaim.id].sort());
  });
});
