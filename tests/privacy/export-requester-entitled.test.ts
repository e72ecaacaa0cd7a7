/**
 * A subject access export about another person leaves only to a requester still entitled to it (docs/privacy.md,
 * Subject access export), on the real API, worker, PostgreSQL and Temporal: a tenant admin who asked about a
 * customer and was then demoted no longer sees its status, gets a link or downloads the ZIP with a link given
 * before (404 each, the export still ready); nor does a link of one since deactivated. Their own export stays theirs.
 */
import { PrivacyExport, type Tenant, User } from '../../src/models';
import { bearer, buildTenantWithAdmin, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

describe('privacy: an export leaves only to a requester still entitled to it', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let admin: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  beforeAll(async () => {
    ({ tenant, admin } = await buildTenantWithAdmin());
  });

  /** Asks for an export about `userId` as `requester` and waits until it is ready. */
  async function readyExport(requester: User, userId: string): Promise<string> {
    const asked = await stack.api.post('/api/v1/privacy/exports').set(as(requester)).send({ userId }).expect(202);
    await eventually(
      () => PrivacyExport.findByPk(asked.body.id as string, { rejectOnEmpty: true }),
      (row) => row.status === 'ready',
      `export ${asked.body.id} ready`,
      60_000,
    );
    return asked.body.id as string;
  }
  const linkOf = async (requester: User, id: string) =>
    (await stack.api.post(`/api/v1/privacy/exports/${id}/link`).set(as(requester)).expect(201)).body.url as string;
  const download = (url: string) => {
    const { pathname, search } = new URL(url);
    return stack.api.get(`${pathname}${search}`);
  };
  const changeUser = async (user: User, body: object) => {
    await stack.api.patch(`/api/v1/users/${user.id}`).set(as(admin)).send(body).expect(200);
    return User.findByPk(user.id, { rejectOnEmpty: true });
  };

  it('refuses a demoted requester the status, a link and the download of an export about a customer; their own stays theirs', async () => {
    const asker = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const customer = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const about = await readyExport(asker, customer.id);
    const own = await readyExport(asker, asker.id);
    const earlierLink = await linkOf(asker, about);

    const demoted = await changeUser(asker, { role: 'adjuster' });
    expect((await stack.api.get(`/api/v1/privacy/exports/${about}`).set(as(demoted))).status).toBe(404);
    expect((await stack.api.post(`/api/v1/privacy/exports/${about}/link`).set(as(demoted))).status).toBe(404);
    expect((await download(earlierLink)).status).toBe(404);
    expect(await PrivacyExport.findByPk(about)).toMatchObject({ status: 'ready', downloadedAt: null });
    // The customer it is about, and the tenant's admins, still see it.
    await stack.api.get(`/api/v1/privacy/exports/${about}`).set(as(customer)).expect(200);
    await stack.api.get(`/api/v1/privacy/exports/${about}`).set(as(admin)).expect(200);

    await stack.api.get(`/api/v1/privacy/exports/${own}`).set(as(demoted)).expect(200);
    const ownDownload = await download(await linkOf(demoted, own));
    expect(ownDownload.status).toBe(200);
    expect(ownDownload.headers['content-type']).toBe('application/zip');
  });

  it('refuses the download of an export about a customer through a link its requester got before being deactivated', async () => {
    const asker = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const customer = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const about = await readyExport(asker, customer.id);
    const link = await linkOf(asker, about);
    await changeUser(asker, { isActive: false });
    expect((await download(link)).status).toBe(404);
    expect(await PrivacyExport.findByPk(about)).toMatchObject({ status: 'ready', downloadedAt: null });
  });
});
