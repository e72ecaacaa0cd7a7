/**
 * A tenant's OpenID provider is reached through the webhooks' address guard (src/services/sso/
 * provider-fetch.ts): an issuer on a private range is refused when it is set in production, and
 * a provider already set is not connected to at sign-in when its address is refused (503, the
 * provider counted as an unavailable dependency). A loopback provider is reached where the
 * deployment allows private networks, as webhooks are (WEBHOOK_ALLOW_PRIVATE_NETWORKS, outside
 * production only). Apps of other configurations are made on the same servers.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { createApp } from '../../src/api/app';
import type { Config } from '../../src/config';
import { Tenant, TenantSso, User } from '../../src/models';
import { sealClientSecret } from '../../src/services/sso/client-secret';
import { bearer, buildTenant, buildUser, signedInBearer, TEST_PASSWORD } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

const CLIENT_SECRET = 'guarded-client-secret-0123456789';
const SETTINGS = {
  clientId: 'insurflow',
  allowedDomains: ['acme-insurance.test'],
  groupRoles: { staff: 'adjuster' as const },
  enabled: true,
  requiredForStaff: false,
};

/** A TCP listener on loopback that only counts who connects (no TLS, no HTTP): a connection attempt is all it can see. */
async function startConnectionCounter(): Promise<{ port: number; connections: () => number; stop: () => Promise<void> }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An OpenID provider's discovery document on loopback (nothing else: the tests go no further than the start). */
async function startDiscoveryServer(): Promise<{ issuer: string; requests: () => number; stop: () => Promise<void> }> {
  let requests = 0;
  let issuer = '';
  const server = http.createServer((req, res) => {
    requests += 1;
    if (req.url !== '/realms/staff/.well-known/openid-configuration') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/certs`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/staff`;
  return {
    issuer,
    requests: () => requests,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('company sign-in: the provider through the address guard', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let admin: User;

  beforeAll(async () => {
    tenant = await buildTenant({ slug: 'guarded-sso' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  });

  /** The API of another configuration on the same database and servers. */
  const apiWith = (overrides: Partial<Config>) =>
    supertest(createApp({ ...stack.services, config: { ...stack.config, ...overrides } }).callback());
  const production = () => apiWith({ env: 'production', webhookAllowPrivateNetworks: false });
  // As just signed in: setting the provider asks for the admin's presence (src/domain/identity/presence.ts).
  const asAdmin = () => ({ Authorization: signedInBearer(stack.config, admin) });
  const start = (api: ReturnType<typeof apiWith>) => api.get(`/api/v1/auth/sso/${tenant.slug}/start`).redirects(0);

  /** A provider row as it may have been saved before the guard (or before its name moved to a private address). */
  async function savedProvider(issuer: string): Promise<void> {
    await TenantSso.upsert({
      tenantId: tenant.id,
      ...SETTINGS,
      issuer,
      clientSecretSealed: sealClientSecret(stack.config.jwt, tenant.id, CLIENT_SECRET),
    });
  }

  it('refuses, in production, an issuer on a private, loopback, link-local or unique local address', async () => {
    for (const issuer of [
      'https://10.1.2.3/realms/staff',
      'https://192.168.0.10/realms/staff',
      'https://127.0.0.1/realms/staff',
      'https://169.254.169.254/latest',
      'https://[fd00::1]/realms/staff',
    ]) {
      const res = await production()
        .put('/api/v1/tenant/sso')
        .set(asAdmin())
        .send({ ...SETTINGS, clientSecret: CLIENT_SECRET, issuer });
      expect({ issuer, status: res.status, details: res.body.error?.details }).toEqual({
        issuer,
        status: 422,
        details: [{ field: 'issuer', message: expect.stringContaining('not a public address') }],
      });
    }
    expect(await TenantSso.count({ where: { tenantId: tenant.id } })).toBe(0);
  });

  it('sets the provider only with proof the admin is there: a session alone (a refreshed or stolen one) is 403, nothing stored', async () => {
    // Whoever sets the provider signs in as the tenant's staff through it (its amr even vouches for their second factor).
    const provider = await startDiscoveryServer();
    try {
      const local = apiWith({ webhookAllowPrivateNetworks: true });
      const put = (auth: string, extra: object = {}) =>
        local
          .put('/api/v1/tenant/sso')
          .set('Authorization', auth)
          .send({ ...SETTINGS, clientSecret: CLIENT_SECRET, issuer: provider.issuer, linkExistingAccounts: true, ...extra });
      const bare = await put(bearer(stack.config, admin)).expect(403);
      expect(bare.body.error.code).toBe('reauthentication_required');
      const wrong = await put(bearer(stack.config, admin), { currentPassword: 'Not-The-Password-1' }).expect(400);
      expect(wrong.body.error.code).toBe('wrong_current_password');
      expect(await TenantSso.count({ where: { tenantId: tenant.id } })).toBe(0);
      await put(bearer(stack.config, admin), { currentPassword: TEST_PASSWORD }).expect(200);
    } finally {
      await provider.stop();
      await TenantSso.destroy({ where: { tenantId: tenant.id } });
    }
  });

  it('does not connect to a provider set earlier whose address is now refused: 503, the identity provider unavailable', async () => {
    const listener = await startConnectionCounter();
    try {
      await savedProvider(`https://127.0.0.1:${listener.port}/realms/staff`);
      const res = await start(production());
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({
        code: 'dependency_unavailable',
        details: [expect.objectContaining({ dependency: 'identity_provider' })],
      });
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.stop();
      await TenantSso.destroy({ where: { tenantId: tenant.id } });
    }
  });

  it('reaches a loopback provider only where private networks are allowed, as webhooks do', async () => {
    const provider = await startDiscoveryServer();
    try {
      const local = apiWith({ webhookAllowPrivateNetworks: true });
      await local
        .put('/api/v1/tenant/sso')
        .set(asAdmin())
        .send({ ...SETTINGS, clientSecret: CLIENT_SECRET, issuer: provider.issuer })
        .expect(200);
      // This suite's own configuration leaves the switch off: refused before any request.
      const refused = await start(stack.api);
      expect(refused.status).toBe(503);
      expect(provider.requests()).toBe(0);
      const started = await start(local).expect(302);
      expect(started.headers.location).toMatch(new RegExp(`^${provider.issuer}/auth\\?`));
      expect(provider.requests()).toBe(1);
    } finally {
      await provider.stop();
    }
  });
});
