/**
 * Documents as objects in an S3-compatible bucket (AWS S3, MinIO, ...), shared by every API host.
 * Every call has a deadline, so a store that is down or stalled costs a request `timeoutMs` and an
 * answer of 503, never a hang.
 */
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  BucketAlreadyOwnedByYou,
  type BucketLocationConstraint,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { S3Settings } from '../../config';
import { DocumentStoreUnavailable, type DocumentStore } from './document-store';

/** What the SDK's own retry classifiers read: the optional fields (`$metadata`, `code`, `cause`) of any error. */
type SdkError = Parameters<typeof isTransientError>[0];

/** A store that did not answer in time, could not be reached, or answered that it cannot serve now. */
function isOutage(err: unknown): boolean {
  // Not `instanceof Error`: socket errors are made by Node's own realm, which a sandbox (jest) does not share.
  if (typeof err !== 'object' || err === null) return false;
  const error = err as SdkError;
  return error.name === 'AbortError' || isTransientError(error) || isThrottlingError(error) || isServerError(error);
}

/**
 * Runs one call under the deadline, retries included. The timer stops once the call has answered,
 * so a download whose headers arrived in time is not cut while its body streams to the client.
 */
async function withDeadline<T>(timeoutMs: number, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await call(controller.signal);
  } catch (err) {
    throw isOutage(err) ? new DocumentStoreUnavailable(err, 's3') : err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Bytes of a streamed object per part of its multipart upload: S3 takes parts of 5 MiB at least
 * (all but the last) and 10,000 of them, so objects up to about 80 GB; one part is in memory at a time.
 */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;

/**
 * The stream cut into parts of `size` bytes (the last one shorter; at least one part, empty for an
 * empty stream), copied into one buffer allocated once: each part must be sent before the next is
 * asked for, which bounds the memory to that buffer whatever the chunks.
 */
async function* partsOf(stream: Readable, size: number): AsyncGenerator<Buffer> {
  const part = Buffer.allocUnsafe(size);
  let filled = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (let offset = 0; offset < chunk.length;) {
      const copied = chunk.copy(part, filled, offset);
      filled += copied;
      offset += copied;
      if (filled === size) {
        yield part;
        filled = 0;
      }
    }
  }
  yield part.subarray(0, filled);
}

const base64Sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('base64');

/** Creates the bucket if it is missing; another host creating it at the same moment is fine. */
async function ensureBucket(client: S3Client, { bucket, region, timeoutMs }: S3Settings): Promise<void> {
  try {
    await withDeadline(timeoutMs, (abortSignal) => client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal }));
    return;
  } catch (err) {
    if (!(err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404)) throw err;
  }
  try {
    // us-east-1 is the default location and refuses to be named; other servers have regions of their own names.
    const location = region === 'us-east-1' ? undefined : { LocationConstraint: region as BucketLocationConstraint };
    await withDeadline(timeoutMs, (abortSignal) =>
      client.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: location }), { abortSignal }),
    );
  } catch (err) {
    if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
  }
}

export async function openS3DocumentStore(settings: S3Settings): Promise<DocumentStore> {
  const { bucket, timeoutMs } = settings;
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    credentials: settings.credentials,
    forcePathStyle: settings.forcePathStyle,
    // Connecting, and silence on an open connection (a stalled download), each bounded like a call.
    requestHandler: { connectionTimeout: timeoutMs, socketTimeout: timeoutMs },
  });
  try {
    await ensureBucket(client, settings);
  } catch (err) {
    client.destroy();
    throw err;
  }
  return {
    async write(key, { bytes, contentType, sha256 }) {
      // The store checks the bytes it received against the digest recorded in the row.
      const checksum = Buffer.from(sha256, 'hex').toString('base64');
      await withDeadline(timeoutMs, (abortSignal) =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: bytes,
            ContentLength: bytes.length,
            ContentType: contentType,
            ChecksumSHA256: checksum,
          }),
          { abortSignal },
        ),
      );
    },
    async writeStream(key, { stream, contentType }) {
      // A multipart upload, each part checked by the store against its SHA-256; the object appears only when completed.
      const { UploadId } = await withDeadline(timeoutMs, (abortSignal) =>
        client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType, ChecksumAlgorithm: 'SHA256' }), {
          abortSignal,
        }),
      );
      const upload = { Bucket: bucket, Key: key, UploadId };
      try {
        const parts: CompletedPart[] = [];
        for await (const part of partsOf(stream, UPLOAD_PART_BYTES)) {
          const PartNumber = parts.length + 1;
          const ChecksumSHA256 = base64Sha256(part);
          const { ETag } = await withDeadline(timeoutMs, (abortSignal) =>
            client.send(new UploadPartCommand({ ...upload, PartNumber, Body: part, ContentLength: part.length, ChecksumSHA256 }), {
              abortSignal,
            }),
          );
          parts.push({ PartNumber, ETag, ChecksumSHA256 });
        }
        await withDeadline(timeoutMs, (abortSignal) =>
          client.send(new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: parts } }), { abortSignal }),
        );
      } catch (err) {
        // The parts received so far are dropped; a store that cannot be told lets its lifecycle rules expire them.
        await withDeadline(timeoutMs, (abortSignal) => client.send(new AbortMultipartUploadCommand(upload), { abortSignal })).catch(
          () => undefined,
        );
        throw err;
      }
    },
    async read(key) {
      const { Body } = await withDeadline(timeoutMs, (abortSignal) =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal }),
      );
      if (!(Body instanceof Readable)) throw new Error(`object ${key} has no readable body`);
      return Body;
    },
    async remove(key) {
      await withDeadline(timeoutMs, (abortSignal) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal }));
    },
    close() {
      client.destroy();
    },
  };
}
