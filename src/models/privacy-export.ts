import { modelOf, required, optional, uuidKey, tenantColumn, timestampColumns } from './columns';
import { PRIVACY_EXPORT_STATUSES, type PrivacyExportStatus } from '../contracts/privacy-export';

const privacyExportColumns = () => ({
  id: uuidKey(),
  ...tenantColumn(),
  /** The person the export is about. */
  userId: required.uuid(),
  requestedById: required.uuid(),
  status: required.string<PrivacyExportStatus>(20, {
    defaultValue: 'requested',
    validate: { isIn: [PRIVACY_EXPORT_STATUSES as unknown as string[]] },
  }),
  workflowId: required.string(200),
  runId: optional.string(64),
  storageKey: optional.string(300),
  sizeBytes: optional.integer(),
  sha256: optional.char(64),
  fileCount: optional.integer(),
  failureReason: optional.string(500),
  readyAt: optional.date(),
  expiresAt: optional.date(),
  downloadedAt: optional.date(),
  /** SHA-256 of the current link's token; the token itself is handed out once and never stored. */
  linkTokenHash: optional.char(64),
  linkExpiresAt: optional.date(),
  ...timestampColumns(),
});

/**
 * A subject access export (docs/privacy.md): who it is about, who asked, where its run has got to,
 * the stored ZIP once ready, and the hash of its current single-use download link.
 */
export class PrivacyExport extends modelOf('privacy_exports', privacyExportColumns) {
  override toJSON(): object {
    const { storageKey: _internal, linkTokenHash: _secret, ...visible } = this.get();
    return visible;
  }
}
