/**
 * Where claim documents' bytes live. The API picks one store at start-up (`openDocumentStore`) and
 * its routes use only this interface, so they do not know which store is in use.
 */
import type { Readable } from 'node:stream';

export interface StoredDocument {
  bytes: Buffer;
  contentType: string;
  /** Hex digest of `bytes`, already computed for the row; a store that can verifies it on arrival. */
  sha256: string;
}

/** Bytes to store as they are made (an export), their length and digest known only at the end. */
export interface StreamedObject {
  stream: Readable;
  contentType: string;
}

export interface DocumentStore {
  write(key: string, document: StoredDocument): Promise<void>;
  /**
   * Stores bytes as the stream yields them, holding a bounded part in memory; an earlier object under
   * the key is replaced. A stream that fails leaves nothing under the key.
   */
  writeStream(key: string, object: StreamedObject): Promise<void>;
  /** Resolves once the bytes are ready to flow, so a missing document or an outage fails here, before any header is sent. */
  read(key: string): Promise<Readable>;
  remove(key: string): Promise<void>;
  close(): void;
}

/** One object per document, named by the server, never by the client's file name. */
export function documentKey(tenantId: string, documentId: string): string {
  return `${tenantId}/${documentId}`;
}

/** The store did not answer in time or could not serve: the API answers 503, naming `store`; the request may be retried. */
export class DocumentStoreUnavailable extends Error {
  constructor(
    cause: unknown,
    readonly store: 's3' | 'document_disk',
  ) {
    super(`document store unavailable: ${(cause as Error).message ?? cause}`, { cause });
    this.name = 'DocumentStoreUnavailable';
  }
}
