import { modelOf, required, optional, tenantRowColumns } from './columns';
import type { AcknowledgementStatus } from '../contracts/acknowledgement';

const acknowledgementColumns = () =>
  tenantRowColumns({
    versionId: required.uuid(),
    employeeId: required.uuid(),
    /** The attestation cycle of the version it belongs to (1 = the publication); one row per version, employee and cycle. */
    cycle: required.integer({ defaultValue: 1 }),
    dueAt: required.date(),
    status: required.string<AcknowledgementStatus>(20, { defaultValue: 'pending' }),
    acknowledgedAt: optional.date(),
    remindersSent: required.integer({ defaultValue: 0 }),
    /** 0 none, 1 manager alerted, 2 compliance team alerted. */
    escalationLevel: required.integer({ defaultValue: 0 }),
    workflowId: optional.string(200),
    /** Counts the runs: a person exempted who joins the audience again gets run 2, `ack-<id>-2`. */
    runNumber: required.integer({ defaultValue: 1 }),
    exemptedAt: optional.date(),
    /** Evidence of the acknowledgement: the SHA-256 of the text shown, where from, the name typed. */
    contentSha256: optional.string(64),
    clientAddress: optional.string(64),
    userAgent: optional.string(500),
    typedName: optional.string(200),
  });

/** One employee's duty to acknowledge one policy version. Owned by its workflow `ack-<id>`. */
export class Acknowledgement extends modelOf('acknowledgements', acknowledgementColumns) {}
