/**
 * `COPY … FROM STDIN` over a node-postgres client, the way bulk volumes reach a live database: one
 * statement streams rows as text, with no per-row parse, plan or round trip. node-postgres runs it
 * as a "submittable" query (its extension point for protocols other than a plain query), which is
 * what this is; the rows are written chunk by chunk, waiting for the socket to drain, so a million
 * rows never sit in memory at once.
 */
import type { Client, Connection } from 'pg';

/** The parts of node-postgres's connection a COPY needs (its typings leave them out). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain: boolean };
}

/** One text-format field: tabs, newlines and backslashes escaped, null as \N. */
export function copyField(value: string | number | null): string {
  if (value === null) return '\\N';
  return String(value).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
}

class CopyFromStdin {
  private failed = false;

  constructor(
    private readonly sql: string,
    private readonly chunks: Iterable<string>,
    private readonly settle: (error?: Error) => void,
  ) {}

  submit(connection: Connection): void {
    (connection as unknown as CopyConnection).query(this.sql);
  }

  /** PostgreSQL is ready for the rows: send them, then the end of the data. */
  handleCopyInResponse(connection: Connection): void {
    const copy = connection as unknown as CopyConnection;
    void (async () => {
      try {
        for (const chunk of this.chunks) {
          // Refused mid-way: PostgreSQL has left copy mode and ignores the rest.
          if (this.failed) return;
          copy.sendCopyFromChunk(Buffer.from(chunk));
          if (copy.stream.writableNeedDrain) await new Promise((resolve) => copy.stream.once('drain', resolve));
        }
        if (!this.failed) copy.endCopyFrom();
      } catch (err) {
        copy.sendCopyFail(String(err));
      }
    })();
  }

  handleCommandComplete(): void {}

  /** node-postgres lets go of a query at its error: the ready-for-query that follows is not passed on to it. */
  handleError(error: Error): void {
    this.failed = true;
    this.settle(error);
  }

  /** Every row is in. */
  handleReadyForQuery(): void {
    this.settle();
  }
}

/** Runs `sql` (a `COPY table (columns) FROM STDIN`) with `chunks` of text-format lines as its data. */
export function copyIn(client: Client, sql: string, chunks: Iterable<string>): Promise<void> {
  return new Promise((resolve, reject) => {
    client.query(new CopyFromStdin(sql, chunks, (error) => (error ? reject(error) : resolve())));
  });
}
