import { modelOf, optional, required, rowColumns } from './columns';

export type PlatformAdminProposalKind = 'add' | 'reactivate';
export type PlatformAdminProposalStatus = 'pending' | 'approved' | 'declined';

const platformAdminProposalColumns = () =>
  rowColumns({
    /** The platform admin the proposal is about: made inactive for an addition, inactive already for a reactivation. */
    adminId: required.uuid(),
    kind: required.string<PlatformAdminProposalKind>(12),
    status: required.string<PlatformAdminProposalStatus>(12, { defaultValue: 'pending' }),
    proposedById: required.uuid(),
    decidedById: optional.uuid(),
    decidedAt: optional.date(),
    declineReason: optional.string(500),
  });

/**
 * A platform admin's addition or reactivation (docs/onboarding.md, Platform admins): proposed by one
 * platform admin, approved or declined by a second, another person. A row of the platform (no tenant).
 */
export class PlatformAdminProposal extends modelOf('platform_admin_proposals', platformAdminProposalColumns) {}
