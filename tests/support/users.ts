import type { TestStack } from './stack';

/** The Authorization header of a caller (`signedInBearer`, `refreshedSession`). */
type Auth = { Authorization: string };

/**
 * The users' routes as a test calls them, as `auth`'s caller (docs/accounts.md): `invite` asks for an
 * account (POST /users), `patch` changes one (PATCH /users/:id). Each answers the request, for the test to expect
 * its status. Declared with the block's stack, whose fields it reads only when a request is sent.
 */
export function usersApi(stack: TestStack) {
  return {
    invite: (auth: Auth, body: object) => stack.api.post('/api/v1/users').set(auth).send(body),
    patch: (auth: Auth, id: string, body: object) => stack.api.patch(`/api/v1/users/${id}`).set(auth).send(body),
  };
}
