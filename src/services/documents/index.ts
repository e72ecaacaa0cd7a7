/** The document store the configuration names, ready for use (its bucket exists). */
import type { DocumentStorage } from '../../config';
import type { DocumentStore } from './document-store';
import { localDocumentStore } from './local-store';
import { openS3DocumentStore } from './s3-store';

export { documentKey, DocumentStoreUnavailable, type DocumentStore } from './document-store';

export function openDocumentStore(storage: DocumentStorage): Promise<DocumentStore> {
  return storage.kind === 'local' ? Promise.resolve(localDocumentStore(storage.dir)) : openS3DocumentStore(storage);
}
