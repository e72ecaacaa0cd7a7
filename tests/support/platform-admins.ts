/**
 * A platform admin added through the API as its rules ask (docs/onboarding.md, Platform admins):
 * proposed by one platform admin (`POST /platform/admins`, 202, the account inactive) and approved
 * by a second one (`POST /platform/admins/:id/approve`, 200, active).
 */
import { User } from '../../src/models';
import { bearer } from './factories';
import type { TestStack } from './stack';

export async function addPlatformAdmin(
  stack: TestStack,
  { proposer, approver }: { proposer: User; approver: User },
  body: { email: string; fullName: string },
): Promise<User> {
  const { body: proposed } = await stack.api
    .post('/api/v1/platform/admins')
    .set('Authorization', bearer(stack.config, proposer))
    .send(body)
    .expect(202);
  await stack.api.post(`/api/v1/platform/admins/${proposed.id}/approve`).set('Authorization', bearer(stack.config, approver)).expect(200);
  return User.findByPk(proposed.id as string, { rejectOnEmpty: true });
}
