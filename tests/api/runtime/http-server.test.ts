/**
 * Clients that connect together to a busy API are each answered after a few answers to the others,
 * not after the process has answered every connection it accepted before theirs once per turn
 * (src/api/runtime/http-server.ts; docs/performance.md, The accept queue). The server runs in this
 * process with a request that costs a millisecond of CPU, as a kept plan list does on a loaded
 * machine; the clients run in a process of their own, so that their event loop is not the server's.
 * What is counted is answers, not time: how many answers the clients received between opening the
 * new connections and each new connection's first answer.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type http from 'node:http';
import { createHttpServer, HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../../../src/api/runtime/http-server';

/** Connections keeping the server busy, then the connections opened together while it is. */
const BUSY = 10;
const NEW = 50;

/**
 * Opens BUSY connections, each sending a request as soon as the previous one is answered; once
 * they have been answered 20 times, opens NEW more at once, which do the same. Prints, when every
 * new connection has had its first answer, the most answers received in all since they were
 * opened before any of them had its first.
 */
const CLIENTS = `
const net = require('node:net');
const [port, busy, fresh] = process.argv.slice(1).map(Number);
const request = 'GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n';
const sockets = [];
let answers = 0, openedAt, firsts = 0, most = 0;
function open(isNew) {
  const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
  sockets.push(socket);
  let answered = !isNew;
  socket.on('data', (chunk) => {
    for (let at = chunk.indexOf('HTTP/1.1 '); at !== -1; at = chunk.indexOf('HTTP/1.1 ', at + 1)) {
      if (!answered) {
        answered = true;
        most = Math.max(most, answers - openedAt);
        if (++firsts === fresh) {
          process.stdout.write(JSON.stringify({ most }));
          sockets.forEach((s) => s.destroy());
          return;
        }
      }
      answers += 1;
      if (answers === 20 && openedAt === undefined) {
        openedAt = answers;
        for (let i = 0; i < fresh; i++) open(true);
      }
      socket.write(request);
    }
  });
}
for (let i = 0; i < busy; i++) open(false);
`;

/** A millisecond of the event loop, as a request answered from memory takes. */
function busyAnswer(_req: http.IncomingMessage, res: http.ServerResponse): void {
  const until = performance.now() + 1;
  while (performance.now() < until);
  res.end('ok');
}

async function mostAnswersBeforeAFirst(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const clients = spawn(process.execPath, ['-e', CLIENTS, String(port), String(BUSY), String(NEW)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    clients.stdout.on('data', (chunk: Buffer) => (out += chunk));
    const code = await new Promise((resolve) => clients.once('exit', resolve));
    expect(code).toBe(0);
    return (JSON.parse(out) as { most: number }).most;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('the HTTP server while many clients connect at once', () => {
  it('answers each new connection after a few answers to the others, not after a round of every open connection per connection accepted before it', async () => {
    const most = await mostAnswersBeforeAFirst(createHttpServer(busyAnswer));
    // One request per turn while accepting, then the waiting ones: about two answers per open
    // connection. Answering every ready request each turn, the k-th new connection waits for k
    // turns of BUSY + k answers each: about 1,800 for the last.
    expect(most).toBeLessThan(4 * (BUSY + NEW));
  }, 60_000);
});

/** What a client that stops sending part-way receives, and how long after connecting the server closes on it. */
function stalledClient(port: number, sent: string): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(sent));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, closedAfterMs: performance.now() - began }));
  });
}

describe('the HTTP server with a client that stops sending', () => {
  it('answers 408 and closes once the headers take over HEADERS_TIMEOUT_MS or the body over REQUEST_TIMEOUT_MS, and serves others meanwhile', async () => {
    // Reads the whole body before answering, as the API's body parser does.
    const server = createHttpServer((req, res) => void req.resume().on('end', () => res.end('ok')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const [headers, body, answered] = await Promise.all([
        stalledClient(port, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl'),
        stalledClient(port, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"email":'),
        fetch(`http://127.0.0.1:${port}/`).then((res) => res.text()),
      ]);
      expect(answered).toBe('ok');
      for (const [stalled, deadline] of [
        [headers, HEADERS_TIMEOUT_MS],
        [body, REQUEST_TIMEOUT_MS],
      ] as const) {
        expect(stalled.answer).toMatch(/^HTTP\/1\.1 408 /);
        expect(stalled.closedAfterMs).toBeGreaterThanOrEqual(deadline - 100);
        // Node looks for late requests once a second.
        expect(stalled.closedAfterMs).toBeLessThan(deadline + 3_000);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);
});
