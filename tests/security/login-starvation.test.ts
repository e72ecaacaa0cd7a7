/**
 * A flood of logins cannot make every real login wait, on the real API and PostgreSQL: past the
 * hashing queue's bound a login is refused at once with 503 and Retry-After while the ones already
 * queued complete, and a password reset with a made-up token never reaches the password hash
 * (counted by the API's own /metrics).
 */
import crypto from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { PasswordResetToken } from '../../src/models';
import { buildTenant, buildUser, buildUsers } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

/** Waiting hashes the test's API accepts; every login past them is refused. */
const QUEUE_LIMIT = 2;
const FLOOD = 12;
const FLOOD_PASSWORD = 'Flood-password-1';

describe('login starvation', () => {
  const stack = testStackOfBlock({ env: { PASSWORD_HASH_QUEUE_LIMIT: String(QUEUE_LIMIT) } });

  /** The sum over the labels of a counter the API's /metrics serves (0 before its first count). */
  async function counter(name: string): Promise<number> {
    const { text } = await stack.api.get('/metrics').expect(200);
    expect(text).toContain(`# TYPE ${name} counter`);
    const values = [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'gm'))].map((match) => Number(match[1]));
    return values.reduce((sum, value) => sum + value, 0);
  }

  it('refuses logins past the hashing queue at once with 503 overloaded and Retry-After; the queued ones log in', async () => {
    // A costly hash (argon2id, 64 MiB, 3 passes) keeps each login in its hashing slot long enough
    // for the flood to find the queue full; argon2 hashes are not rehashed after a login.
    const costly = await hash(FLOOD_PASSWORD, { memoryCost: 65_536, timeCost: 3, parallelism: 1 });
    const tenant = await buildTenant();
    const users = await buildUsers(FLOOD, tenant.id, () => ({ role: 'claims_agent', passwordHash: costly }));
    const refusedBefore = await counter('insurflow_password_hashes_refused_total');

    const answers = await Promise.all(
      users.map(async (user) => {
        const started = performance.now();
        const response = await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: FLOOD_PASSWORD });
        return { response, ms: performance.now() - started };
      }),
    );
    const refused = answers.filter((a) => a.response.status === 503);
    const loggedIn = answers.filter((a) => a.response.status === 200);
    expect(refused.length + loggedIn.length).toBe(FLOOD);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(loggedIn.length).toBeGreaterThanOrEqual(1 + QUEUE_LIMIT);
    for (const { response } of refused) {
      expect(response.body.error.code).toBe('overloaded');
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    }
    for (const { response } of loggedIn) expect(response.body.tokens.accessToken).toEqual(expect.any(String));
    // A refusal does not wait for the queue: each came back before the last queued login did.
    expect(Math.max(...refused.map((a) => a.ms))).toBeLessThan(Math.max(...loggedIn.map((a) => a.ms)));
    expect((await counter('insurflow_password_hashes_refused_total')) - refusedBefore).toBe(refused.length);
  });

  it('answers a reset confirmation with an unknown or expired token without hashing the new password', async () => {
    const hashesBefore = await counter('insurflow_password_hashes_total');
    const unknown = await stack.api
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token: crypto.randomBytes(32).toString('base64url'), newPassword: 'A-valid-new-password-1' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('reset_token_invalid');

    const user = await buildUser({ role: 'policyholder' });
    const token = crypto.randomBytes(32).toString('base64url');
    await PasswordResetToken.create({
      userId: user.id,
      tokenHash: crypto.createHash('sha256').update(token).digest('hex'),
      expiresAt: new Date(Date.now() - 1000),
    });
    const expired = await stack.api.post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'A-valid-new-password-1' });
    expect(expired.status).toBe(400);
    expect(expired.body.error.code).toBe('reset_token_expired');
    expect(await counter('insurflow_password_hashes_total')).toBe(hashesBefore);
  });
});
