/**
 * The upload quotas: documents per claim (DOCUMENTS_MAX_PER_CLAIM) and bytes per tenant
 * (DOCUMENTS_MAX_BYTES_PER_TENANT), refused with 422 `quota_exceeded`. Checked twice: once before
 * the bytes are stored, so a tenant at its limit costs no write to the store, and once more inside
 * the transaction that records the document, under the tenant row's lock, which is the check that
 * holds when uploads race.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { DocumentQuota } from '../../config';
import { ClaimDocument, type Claim } from '../../models';
import { quotaExceeded } from '../../shared/errors';

interface Usage {
  documents: number;
  tenantBytes: number;
}

/**
 * What the claim and its tenant hold now. Within a transaction the tenant's row is locked first,
 * so the uploads of a tenant take turns until each commits; the count, a statement of its own,
 * then sees every document committed before the lock was granted.
 */
async function usageOf(claim: Claim, transaction?: Transaction): Promise<Usage> {
  // NO KEY UPDATE: rows that merely reference the tenant (a claim, a user) are still inserted meanwhile.
  const [tenant] = await ClaimDocument.sequelize!.query<{ bytes: string }>(
    `SELECT document_bytes AS bytes FROM tenants WHERE id = :tenantId${transaction ? ' FOR NO KEY UPDATE' : ''}`,
    { replacements: { tenantId: claim.tenantId }, type: QueryTypes.SELECT, transaction },
  );
  const documents = await ClaimDocument.count({ where: { claimId: claim.id }, transaction });
  return { documents, tenantBytes: Number(tenant.bytes) };
}

/** Throws 422 `quota_exceeded` unless one more document of `sizeBytes` fits the claim and its tenant. */
export async function assertRoomForDocument(
  quota: DocumentQuota,
  claim: Claim,
  sizeBytes: number,
  transaction?: Transaction,
): Promise<void> {
  const usage = await usageOf(claim, transaction);
  if (usage.documents >= quota.maxPerClaim) {
    throw quotaExceeded(`Claim ${claim.claimNumber} already holds ${usage.documents} documents, the most a claim may hold`, [
      { message: 'documents per claim', quota: 'documents_per_claim', limit: quota.maxPerClaim, used: usage.documents },
    ]);
  }
  if (usage.tenantBytes + sizeBytes > quota.maxBytesPerTenant) {
    throw quotaExceeded(`This document does not fit the tenant's document storage (${quota.maxBytesPerTenant} bytes)`, [
      {
        field: 'contentBase64',
        message: 'bytes per tenant',
        quota: 'document_bytes_per_tenant',
        limit: quota.maxBytesPerTenant,
        used: usage.tenantBytes,
        requested: sizeBytes,
      },
    ]);
  }
}
