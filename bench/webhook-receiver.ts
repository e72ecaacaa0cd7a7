/**
 * A webhook receiver for the benchmarks: a plain HTTP server on 127.0.0.1 answering 204 at once,
 * keeping when each event arrived beside the time the event says it happened (its CloudEvents
 * `time`, stamped in the transaction of the change): the difference is the delivery latency.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ArrivedEvent {
  /** The event's id (its `webhook-id`). */
  id: string;
  subject: string;
  /** When the change happened (epoch ms). */
  happenedAt: number;
  /** When the receiver had the whole request (epoch ms). */
  arrivedAt: number;
}

export interface BenchReceiver {
  url: string;
  arrived: ArrivedEvent[];
  close(): Promise<void>;
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  const arrived: ArrivedEvent[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const arrivedAt = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; subject: string; time: string };
      arrived.push({ id: event.id, subject: event.subject, happenedAt: Date.parse(event.time), arrivedAt });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrived,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
