/** Takes a draft through the four-eyes review the way clients do, so it may be published. */
import crypto from 'node:crypto';
import type { User } from '../../src/models';
import { bearer } from '../support/factories';
import type { TestStack } from '../support/stack';

/**
 * A decision as clients are told to send it: with an Idempotency-Key, repeated with the same key
 * when the answer is 503/504 (a busy machine can keep a new run's first task past the deadline).
 */
async function decide(stack: TestStack, path: string, as: User, expected: number) {
  const key = crypto.randomUUID();
  for (let attempt = 1; ; attempt++) {
    const res = await stack.api.post(path).set('Authorization', bearer(stack.config, as)).set('Idempotency-Key', key);
    if (res.status === expected || ![503, 504].includes(res.status) || attempt === 3) return res;
  }
}

export async function approveThroughReview(stack: TestStack, versionId: string, submitter: User, reviewer: User): Promise<void> {
  const submitted = await decide(stack, `/api/v1/compliance/versions/${versionId}/submit`, submitter, 202);
  if (submitted.status !== 202) throw new Error(`submit answered ${submitted.status}: ${JSON.stringify(submitted.body)}`);
  const approved = await decide(stack, `/api/v1/compliance/versions/${versionId}/approve`, reviewer, 200);
  if (approved.status !== 200 || approved.body.status !== 'approved')
    throw new Error(`approve answered ${approved.status}: ${JSON.stringify(approved.body)}`);
}
