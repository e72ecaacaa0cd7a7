/**
 * A person's erasure: `privacy-erasure-<erasureId>` (docs/privacy.md, Erasure, retention and legal
 * holds). The run asks for the erasure's next step until none is left or a legal hold blocks it;
 * which steps there are, and their order, is the activity's list (src/activities/privacy-erasure.ts),
 * so a step added there reaches runs in flight with no change to this code.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ErasureStatus, PrivacyErasureInput } from '../contracts/privacy-erasure';
import { publishStatus } from './support/business-status';

const { eraseNextStep } = proxyActivities<Activities>({
  // A step commits with its record or not at all, so a retry takes it once; removing a person's
  // document files from S3 is the slowest part.
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function privacyErasureWorkflow(input: PrivacyErasureInput): Promise<ErasureStatus> {
  const taken: string[] = [];
  for (;;) {
    const result = await eraseNextStep({ erasureId: input.erasureId });
    if (result.step) taken.push(result.step);
    publishStatus({ status: result.finished ? result.status : 'erasing', details: `Steps taken: ${taken.join(', ') || 'none'}` });
    if (result.finished) return result.status;
  }
}
