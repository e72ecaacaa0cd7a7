/**
 * A document kept for a policy version (docs/subscriptions.md, Documents): its schedule, as a PDF
 * in the document store under `storageKey`, one per version, kind and language.
 */
import { createdAtColumn, idColumn, modelOf, required, tenantColumn } from './columns';

export const POLICY_DOCUMENT_KINDS = ['schedule'] as const;
export type PolicyDocumentKind = (typeof POLICY_DOCUMENT_KINDS)[number];

const policyDocumentColumns = () => ({
  ...idColumn(),
  ...tenantColumn(),
  subscriptionId: required.uuid(),
  versionId: required.uuid(),
  kind: required.string<PolicyDocumentKind>(30),
  language: required.string(5),
  storageKey: required.string(300),
  contentType: required.string(100),
  sizeBytes: required.integer(),
  sha256: required.char(64),
  // The table has no updatedAt: a stored document is never changed.
  ...createdAtColumn(),
});

export class PolicyDocument extends modelOf('policy_documents', policyDocumentColumns, { updatedAt: false }) {}
