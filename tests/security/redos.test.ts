/**
 * No pattern the API accepts input through can be made to backtrack: every Joi `pattern()` of every
 * route is fed 100,000 adversarial characters and must answer within 10 ms, and the requests that
 * once held the event loop for minutes (a megabyte of password, 16,000 dashes as a workflow ID)
 * are refused at once by the real API.
 */
import { allRoutes } from '../../src/api/routes';
import { Registration, User } from '../../src/models';
import { buildTenant, buildUser, bearer } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { testConfig } from '../support/config';
import { growth, patternsIn, worstCaseMs } from './pattern-audit';

const ADVERSARIAL_LENGTH = 100_000;
const PATTERN_BUDGET_MS = 10;

describe('every pattern of every route is linear', () => {
  const config = testConfig({ databaseUrl: 'postgres://unused@127.0.0.1/unused' });
  const patterns = new Map<string, RegExp>();
  for (const spec of allRoutes(config)) {
    for (const schema of [spec.params, spec.query, spec.body, spec.response.schema]) {
      if (schema) for (const pattern of patternsIn(schema)) patterns.set(String(pattern), pattern);
    }
  }

  it('finds the patterns to audit (the password rule and the workflow ID among them)', () => {
    expect(patterns.size).toBeGreaterThanOrEqual(6);
    expect([...patterns.keys()].some((p) => p.includes('(?=[^A-Za-z]*[A-Za-z])'))).toBe(true);
  });

  it.each([...patterns.keys()])('%s answers 100,000 adversarial characters within 10 ms', (source) => {
    const worst = worstCaseMs(patterns.get(source)!, ADVERSARIAL_LENGTH);
    expect({ pattern: source, ...worst, slow: worst.ms >= PATTERN_BUDGET_MS }).toMatchObject({ slow: false });
  });

  it('catches a backtracking pattern: the old password rule grows quadratically (4× the input, over 8× the time)', () => {
    // The rule as it was, kept to prove the audit finds what it exists for (the lint rule agrees).
    // eslint-disable-next-line regexp/no-super-linear-backtracking
    const oldPasswordRule = /^(?:[\s\S]*[A-Za-z][\s\S]*[0-9]|[\s\S]*[0-9][\s\S]*[A-Za-z])[\s\S]*$/;
    // A linear pattern's time grows 4×, a quadratic one's 16×: 8× lies between them with room on both sides.
    expect(growth(oldPasswordRule, 4_000, 4)).toBeGreaterThan(8);
  });
});

describe('hostile input that once held the event loop (real API)', () => {
  const stack = testStackOfBlock();

  // Just under the 1 MB body limit: a letter-only password, the worst case of the old rule.
  const hugePassword = 'a'.repeat(1_000_000 - 2_000);

  /** Sends the request and answers its status, body and how long the API took. */
  async function timed(request: () => Promise<{ status: number; body: unknown; text: string }>) {
    const started = Date.now();
    const res = await request();
    return { ...res, ms: Date.now() - started };
  }

  it.each([
    ['/auth/register', (tenantSlug: string) => ({ tenantSlug, email: 'new@example.test', password: hugePassword, fullName: 'New' })],
    ['/auth/password-reset/confirm', () => ({ token: 'x'.repeat(43), newPassword: hugePassword })],
    [
      '/registrations',
      () => ({
        companyName: 'Slow Co',
        businessType: 'insurance',
        phone: '+44 20 7946 0000',
        contactEmail: 'contact@slow.test',
        address: '1 Road',
        requestedSlug: 'slow-co',
        adminEmail: 'admin@slow.test',
        adminFullName: 'Sam',
        adminPassword: hugePassword,
      }),
    ],
  ])('POST %s with a megabyte of password: 400 within a second, nothing created', async (path, body) => {
    const tenant = await buildTenant();
    const [users, registrations] = [await User.count(), await Registration.count()];
    const res = await timed(() => stack.api.post(`/api/v1${path}`).send(body(tenant.slug)));
    expect(res.status).toBe(400);
    expect(res.ms).toBeLessThan(1_000);
    // The answer never carries the submitted secret back.
    expect(res.text).not.toContain('a'.repeat(64));
    expect([await User.count(), await Registration.count()]).toEqual([users, registrations]);
  });

  it('a bad password is named in the answer but never echoed', async () => {
    const tenant = await buildTenant();
    const secret = 'OnlyLettersSecretValue';
    const res = await stack.api
      .post('/api/v1/auth/register')
      .send({ tenantSlug: tenant.slug, email: 'echo@example.test', password: secret, fullName: 'Echo' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'body.password', message: expect.stringContaining('letter and digit') })]),
    );
    expect(res.text).not.toContain(secret);
  });

  it('counts a password in characters, as the OpenAPI document does: 7 characters in 14 UTF-16 units are too short', async () => {
    const tenant = await buildTenant();
    const res = await stack.api
      .post('/api/v1/auth/register')
      .send({ tenantSlug: tenant.slug, email: 'astral@example.test', password: '\u{1F600}'.repeat(5) + 'a1', fullName: 'Astral' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ field: 'body.password', message: expect.stringContaining('at least 8') }),
    ]);
    expect(await User.count({ where: { email: 'astral@example.test' } })).toBe(0);
  });

  // 15,000 dashes: the longest such path under Node's 16 KiB header limit (longer ones never reach the app).
  it('GET /workflows/:id with 15,000 dashes: 400 within a second', async () => {
    const tenant = await buildTenant();
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const res = await timed(() =>
      stack.api.get(`/api/v1/workflows/${'-'.repeat(15_000)}!`).set({ Authorization: bearer(stack.config, admin) }),
    );
    expect(res.status).toBe(400);
    expect(res.ms).toBeLessThan(1_000);
  });
});
