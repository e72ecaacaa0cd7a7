/**
 * Who may acknowledge and while the acknowledgement is open (the `acknowledge` Update's validator),
 * and what ends it otherwise: a newer version published (`versionRetired`), the employee leaving
 * the version's audience (`audienceChanged`, checked by an activity against what was committed).
 */
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  type AcknowledgementOutcome,
  type AcknowledgeRequest,
  acknowledgeUpdate,
  audienceChangedSignal,
  versionRetiredSignal,
} from '../../contracts/acknowledgement';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { type AcknowledgementRun, ended, STEP_RETRY } from './run';

const { recordAcknowledgement, exemptIfOutOfAudience } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: STEP_RETRY,
});

// A refusal names the acknowledgement as the field: it is about the request as a whole.
const onAcknowledgement = { field: 'acknowledgement' };

function refuseUnlessOpen(run: AcknowledgementRun): void {
  if (run.acknowledgedAt) throw businessFailure(BusinessErrorType.Conflict, 'This acknowledgement was already given', onAcknowledgement);
  if (run.retired)
    throw businessFailure(BusinessErrorType.Conflict, 'This policy version was superseded by a newer one', onAcknowledgement);
  if (run.exempted)
    throw businessFailure(BusinessErrorType.Conflict, 'You are no longer in the audience of this policy version', onAcknowledgement);
}

export function setAcknowledgingHandlers(run: AcknowledgementRun): void {
  setHandler(
    acknowledgeUpdate,
    async ({ evidence }: AcknowledgeRequest): Promise<AcknowledgementOutcome> => {
      // An audience check under way decides first: the employee may just have left the audience.
      if (run.checkingAudience) {
        await condition(() => !run.checkingAudience);
        refuseUnlessOpen(run);
      }
      // Set before the activity so a concurrent second request is refused by the validator.
      const at = new Date();
      run.acknowledgedAt = at;
      await recordAcknowledgement({ acknowledgementId: run.input.acknowledgementId, acknowledgedAt: at.toISOString(), evidence });
      return { status: 'acknowledged', acknowledgedAt: at.toISOString() };
    },
    {
      validator: ({ userId }: AcknowledgeRequest) => {
        if (userId !== run.input.employeeId)
          throw businessFailure(BusinessErrorType.Forbidden, 'Only the employee it is addressed to may acknowledge it', onAcknowledgement);
        refuseUnlessOpen(run);
      },
    },
  );
  setHandler(versionRetiredSignal, () => {
    run.retired = true;
  });
  setHandler(audienceChangedSignal, async () => {
    // One check at a time, each reading what was committed before it.
    await condition(() => !run.checkingAudience);
    if (ended(run)) return;
    run.checkingAudience = true;
    try {
      if (await exemptIfOutOfAudience(run.step)) run.exempted = true;
    } finally {
      run.checkingAudience = false;
    }
  });
}
