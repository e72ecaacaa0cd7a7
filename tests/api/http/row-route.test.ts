/**
 * `listRoute`'s filters narrow the rows the access rule lets the caller see, never widen them: a
 * filter on a column the rule's scope restricts (a policyholder's claims are their own, by
 * `claimantId`) is one more condition, not a replacement of the scope's. Checked on a list declared
 * with it for the test, mounted as the API mounts its routes, on the real database. `downloadRoute`
 * serving a stored document (a claim's) answers what its row says, not what the client named it, under the name the client gave.
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

describe('downloadRoute of a stored document', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.close());

  it("answers the row's type, digest and length, whatever the client's file name says, under that name: UTF-8 in filename*, an ASCII fallback that cannot break the header", async () => {
    const claim = await buildClaim();
    const claimant = { Authorization: bearer(stack.config, await User.findByPk(claim.claimantId, { rejectOnEmpty: true })) };
    const photo = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
    const upload = async (fileName: string) =>
      (
        await stack.api
          .post(`/api/v1/claims/${claim.id}/documents`)
          .set(claimant)
          .send({ fileName, contentType: 'image/png', contentBase64: photo.toString('base64') })
          .expect(201)
      ).body as { id: string; sha256: string };

    const uploaded = await upload('roof "front"; ä.pdf');
    const served = await stack.api.get(`/api/v1/documents/${uploaded.id}/content`).set(claimant).buffer(true).expect(200);
    expect(served.headers).toMatchObject({
      'content-type': 'image/png',
      'content-disposition': `attachment; filename="roof \\"front\\"; _.pdf"; filename*=UTF-8''roof%20%22front%22%3B%20%C3%A4.pdf`,
      'content-length': String(photo.length),
      etag: `"${uploaded.sha256}"`,
      'cache-control': 'no-store',
    });
    expect(Buffer.compare(served.body as Buffer, photo)).toBe(0);

    // A name in another script comes back as it was uploaded, not as underscores.
    const japanese = await upload('東京の写真.pdf');
    const named = await stack.api.get(`/api/v1/documents/${japanese.id}/content`).set(claimant).buffer(true).expect(200);
    expect(named.headers['content-disposition']).toBe(
      `attachment; filename="_____.pdf"; filename*=UTF-8''${encodeURIComponent('東京の写真.pdf')}`,
    );
  });
});
