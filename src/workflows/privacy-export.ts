/**
 * A subject access export, `privacy-export-<exportId>` (docs/privacy.md, Subject access export):
 * one activity gathers every row about the person into a ZIP in the document store, heartbeating
 * as it goes; the ZIP then waits PRIVACY_EXPORT_KEPT_DAYS for its single-use download (the API
 * marks the row `downloaded`), after which it is removed. A gathering that keeps failing marks
 * the export `failed`, so its requester sees it and may ask again.
 */
import { ActivityFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  PRIVACY_EXPORT_GATHER_ATTEMPTS,
  PRIVACY_EXPORT_KEPT_DAYS,
  type PrivacyExportInput,
  type PrivacyExportStatus,
} from '../contracts/privacy-export';
import { publishStatus } from './support/business-status';

const { gatherPrivacyExport } = proxyActivities<Activities>({
  // Documents are streamed one by one, each heartbeat proves progress; the whole may take long.
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: PRIVACY_EXPORT_GATHER_ATTEMPTS,
  },
});

const { failPrivacyExport, expirePrivacyExport } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function privacyExportWorkflow(input: PrivacyExportInput): Promise<PrivacyExportStatus> {
  publishStatus({ status: 'gathering' });
  try {
    await gatherPrivacyExport(input.exportId);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await failPrivacyExport(input.exportId, (err.cause ?? err).message);
    publishStatus({ status: 'failed' });
    return 'failed';
  }
  publishStatus({ status: 'ready', details: `Ready for download for ${PRIVACY_EXPORT_KEPT_DAYS} days` });
  await sleep(`${PRIVACY_EXPORT_KEPT_DAYS} days`);
  const final = await expirePrivacyExport(input);
  publishStatus({ status: final });
  return final;
}
