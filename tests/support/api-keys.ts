import type { User } from '../../src/models';
import type { Role } from '../../src/shared/roles';
import { bearer, TEST_PASSWORD } from './factories';
import type { TestStack } from './stack';

/** A key a tenant admin makes through the API for a machine acting with `role`: the header that sends it. */
export async function apiKeyHeader(stack: TestStack, admin: User, role: Role): Promise<{ Authorization: string }> {
  const expiresAt = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString();
  const made = await stack.api
    .post('/api/v1/api-keys')
    .set('Authorization', bearer(stack.config, admin))
    .send({ name: `${role} machine`, role, expiresAt, currentPassword: TEST_PASSWORD })
    .expect(201);
  return { Authorization: `Bearer ${made.body.key as string}` };
}
