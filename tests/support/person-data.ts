/**
 * Histories as anyone may export them from Temporal, and their payloads as the application's codecs
 * open them: what the crypto-shredding tests look at (docs/privacy.md, Personal data in workflow
 * histories).
 */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Config } from '../../src/config';
import { payloadCodecs } from '../../src/services/temporal';
import { payloadsIn } from './histories';

/** The run's history in the bytes an export holds, fetched by a client without codecs. */
export async function exportedHistory(rawClient: Client, workflowId: string): Promise<Buffer> {
  const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
  return Buffer.from(temporal.api.history.v1.History.encode(history).finish());
}

/** Every payload of an export. */
export const payloadsOfExport = (exported: Buffer): Payload[] => payloadsIn(temporal.api.history.v1.History.decode(exported));

/** The payloads that hold a field sealed with the person's key. */
export const sealedFor = (payloads: Payload[], userId: string): Payload[] =>
  payloads.filter((payload) => Buffer.from(payload.data ?? []).includes(Buffer.from(`"keyId":"person:${userId}"`)));

/** The payloads' texts as the application's data converter decodes them. */
export async function decodedTexts(config: Config['temporal'], payloads: Payload[]): Promise<string[]> {
  let decoded = payloads;
  for (const codec of payloadCodecs(config).reverse()) decoded = await codec.decode(decoded);
  return decoded.map((payload) => Buffer.from(payload.data ?? []).toString('utf8'));
}
