/**
 * The production walkthrough (docs/production.md) up to a tenant with people in it, as the topology suites
 * start: the operator command creates the platform admin, a company registers and is approved (the
 * tenant is provisioned), its admin creates staff who verify their e-mail, and a policyholder
 * registers. Requests alternate between the two API addresses given (the same one twice for one API).
 */
import { VERIFY_ACCOUNT_SUBJECT, VERIFY_REGISTRATION_SUBJECT } from '../support/mailed-tokens';
import type { SmtpSink } from '../support/smtp-sink';
import { waitUntil } from '../support/waiting';
import { adminCommand, call, callAsClientsDo, expectStatus, followMailedLink, login, PASSWORD } from './api-client';

export interface TenantSetup {
  smtp: SmtpSink;
  appDir: string;
  env: Record<string, string>;
  apis: [string, string];
  /** The tenant's slug; every e-mail address is under `<slug>.test`. */
  slug: string;
  staffRoles: string[];
}

export interface Person {
  id: string;
  email: string;
  token: string;
}

export interface OpenTenant {
  platformAdmin: string;
  tenantAdmin: Person;
  staff: Record<string, Person>;
  /** The policyholder's access token. */
  holder: string;
}

async function person(api: string, tenantAdmin: string, email: string): Promise<Person> {
  const [user] = expectStatus(
    await call(api, 'GET', `/users?q=${encodeURIComponent(email)}`, { token: tenantAdmin }),
    200,
    `find ${email}`,
  ).items;
  return { id: user.id, email, token: await login(api, email) };
}

export async function openTenant({ smtp, appDir, env, apis: [api1, api2], slug, staffRoles }: TenantSetup): Promise<OpenTenant> {
  const domain = `${slug}.test`;
  // The first platform admin, created by the operator command in the image.
  expect(await adminCommand(appDir, env, ['create-platform-admin', '--email', `ops@${domain}`], `${PASSWORD}\n`)).toMatchObject({
    code: 0,
  });
  const platformAdmin = await login(api1, `ops@${domain}`);

  // A company registers (public) and the platform admin approves it: the tenant is provisioned.
  expectStatus(
    await call(api2, 'POST', '/registrations', {
      body: {
        companyName: `${slug} Mutual`,
        businessType: 'property insurance',
        phone: '+44 20 7946 0100',
        contactEmail: `contact@${domain}`,
        address: '1 Quay Street, Bristol',
        requestedSlug: slug,
        adminEmail: `admin@${domain}`,
        adminFullName: 'Hana Admin',
        adminPassword: PASSWORD,
      },
    }),
    202,
    'registration',
  );
  const registration = await followMailedLink(smtp, api1, '/registrations/verify', `admin@${domain}`, VERIFY_REGISTRATION_SUBJECT, 202);
  // Writes that wait for a run (an update) are repeated on 503/504 with their key, as clients are
  // told: on a loaded machine the run may not answer within the API's deadline.
  expectStatus(
    await callAsClientsDo(api1, 'POST', `/registrations/${registration.id}/approve`, {
      token: platformAdmin,
      key: `approve-${registration.id}`,
    }),
    200,
    'approval',
  );
  await waitUntil(
    async () => (await call(api1, 'GET', `/registrations/${registration.id}`, { token: platformAdmin })).body.status === 'provisioned',
    'tenant provisioned',
    60_000,
  );
  const adminToken = await login(api2, `admin@${domain}`);
  // These suites prove the topology, not premium collection (tests/subscriptions/premium-timeline*):
  // the tenant collects its premiums elsewhere, so a policy covers as soon as its run starts.
  expectStatus(await call(api1, 'PUT', '/tenant/settings', { token: adminToken, body: { collectPremiums: false } }), 200, 'settings');

  const staff: Record<string, Person> = {};
  for (const role of staffRoles) {
    const email = `${role}@${domain}`;
    expectStatus(
      await callAsClientsDo(api1, 'POST', '/users', {
        token: adminToken,
        key: `user-${role}`,
        body: { email, fullName: role, role, password: PASSWORD },
      }),
      202,
      `create ${role}`,
    );
    await followMailedLink(smtp, api2, '/auth/verify-email', email, VERIFY_ACCOUNT_SUBJECT, 204);
    staff[role] = await person(api1, adminToken, email);
  }

  // A policyholder registers.
  const holderEmail = `holder@${domain}`;
  expectStatus(
    await call(api1, 'POST', '/auth/register', {
      body: { tenantSlug: slug, email: holderEmail, password: PASSWORD, fullName: 'Paul Holder' },
    }),
    202,
    'policyholder registration',
  );
  await followMailedLink(smtp, api2, '/auth/verify-email', holderEmail, VERIFY_ACCOUNT_SUBJECT, 204);
  return {
    platformAdmin,
    tenantAdmin: await person(api1, adminToken, `admin@${domain}`),
    staff,
    holder: await login(api1, holderEmail),
  };
}
