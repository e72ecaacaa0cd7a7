import type { Readable } from 'node:stream';

/**
 * Keeps the last `chars` characters a child process writes to `streams`, for the error that says
 * why it did not start; the answer is read when that error is made.
 */
export function keepLastOutput(streams: Array<Readable | null>, chars = 4_000): () => string {
  let kept = '';
  for (const stream of streams) {
    stream?.on('data', (chunk: Buffer) => {
      kept = (kept + chunk.toString()).slice(-chars);
    });
  }
  return () => kept;
}
