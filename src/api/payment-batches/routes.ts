/** Payment batches (docs/claim-money.md, Payment batches): approved claim payments issued as one bank file; the write is src/domain/claims/payment-batches.ts. */
import { createPaymentBatch } from '../../domain/claims/payment-batches';
import { PaymentBatch } from '../../models';
import { findVisible } from '../../access/core';
import { paymentBatchAccess } from '../../access/payment-batches';
import { createRoute } from '../http/write-route';
import { operation } from '../http/operation';
import { type RouteSpec, tagged } from '../http/route';
import { downloadRoute, findRoute, listRoute } from '../http/row-route';
import { batchSchema, createBatchBody, listBatchesQuery } from './schemas';

export function paymentBatchRoutes(): RouteSpec[] {
  return tagged('claims', [
    listRoute({
      path: '/payment-batches',
      summary: "The tenant's payment batches, newest first (claims managers)",
      verb: 'listPaymentBatches',
      model: PaymentBatch,
      access: paymentBatchAccess,
      query: listBatchesQuery,
      schema: batchSchema,
    }),
    createRoute(operation({ name: 'paymentBatches.issue', verb: 'issuePaymentBatch', body: createBatchBody, run: createPaymentBatch }), {
      path: '/payment-batches',
      summary:
        'Issue the approved claim payments (one currency, oldest first, at most 500) as one ISO 20022 pain.001.001.09 credit-transfer file; 409 when none waits',
      schema: batchSchema,
    }),
    findRoute({
      path: '/payment-batches/:id',
      summary: 'One payment batch (claims managers)',
      verb: 'viewPaymentBatch',
      access: paymentBatchAccess,
      schema: batchSchema,
    }),
    downloadRoute({
      path: '/payment-batches/:id/file',
      summary: 'The batch’s pain.001.001.09 file, as it was issued, for upload to the bank',
      verb: 'downloadPaymentBatchFile',
      contentType: 'application/xml; charset=utf-8',
      file: async (caller, id) => {
        const batch = await findVisible(caller, paymentBatchAccess, id);
        return { fileName: `${batch.messageId}.xml`, body: batch.file };
      },
    }),
  ]);
}
