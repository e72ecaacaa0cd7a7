/**
 * Who may act on a person's data (docs/privacy.md): ask for an export of it, erase it, hold it.
 * Which rows each sees is the access rules' (src/access/privacy-erasures.ts, privacy-exports.ts).
 */
import { type Role, TENANT_ROLES } from '../../shared/roles';

/** Who asks for a person's erasure and follows it. */
const ERASERS: readonly Role[] = ['tenant_admin'];
/** Who places, releases and lists legal holds. */
const HOLD_KEEPERS: readonly Role[] = ['tenant_admin', 'compliance_officer'];

export const PRIVACY_VERBS = {
  /** Subject access: anyone of a tenant asks for their own (a tenant admin for anyone's); the export's rule says whose. */
  requestPrivacyExport: TENANT_ROLES,
  viewPrivacyExport: TENANT_ROLES,
  linkPrivacyExport: TENANT_ROLES,
  requestErasure: ERASERS,
  viewErasure: ERASERS,
  placeLegalHold: HOLD_KEEPERS,
  releaseLegalHold: HOLD_KEEPERS,
  listLegalHolds: HOLD_KEEPERS,
} as const satisfies Record<string, readonly Role[]>;
