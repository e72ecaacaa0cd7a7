import type { Presence } from '../../src/domain/identity/presence';
import type { User } from '../../src/models';
import { TEST_PASSWORD } from './factories';
import type { TestStack } from './stack';

/**
 * A session without proof its holder is there: the access token `POST /auth/refresh` answers, which
 * carries no sign-in time (what a stolen refresh token gives). A change asking for presence refuses
 * it unless the password comes with it (docs/security.md, Proof of presence).
 */
export async function refreshedSession(stack: TestStack, user: User): Promise<{ Authorization: string }> {
  const session = await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
  const refreshed = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: session.body.tokens.refreshToken }).expect(200);
  return { Authorization: `Bearer ${refreshed.body.accessToken as string}` };
}

/**
 * What a test calling a command directly hands one that may ask for presence: no password, no
 * sign-in time (so a change that needs presence is refused), and a count of wrong passwords that
 * never delays.
 */
export const withoutPresence: Presence = {
  passwordAttempts: () => ({
    assertAllowed: () => Promise.resolve({ hasFailures: false }),
    recordFailure: () => Promise.resolve({ delayed: false }),
    firstWarning: () => Promise.resolve(false),
    reset: () => Promise.resolve(),
  }),
};
