/** Takes a draft through the four-eyes review the way clients do, so it may be published. */
import type { User } from '../../src/models';
import { bearer } from '../support/factories';
import type { TestStack } from '../support/stack';

export async function approveThroughReview(stack: TestStack, versionId: string, submitter: User, reviewer: User): Promise<void> {
  const submitted = await stack.api
    .post(`/api/v1/compliance/versions/${versionId}/submit`)
    .set('Authorization', bearer(stack.config, submitter));
  if (submitted.status !== 202) throw new Error(`submit answered ${submitted.status}: ${JSON.stringify(submitted.body)}`);
  const approved = await stack.api
    .post(`/api/v1/compliance/versions/${versionId}/approve`)
    .set('Authorization', bearer(stack.config, reviewer));
  if (approved.status !== 200 || approved.body.status !== 'approved')
    throw new Error(`approve answered ${approved.status}: ${JSON.stringify(approved.body)}`);
}
