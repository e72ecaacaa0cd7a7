import net from 'node:net';

/**
 * Ports are chosen below the kernel's ephemeral range (which starts at 32768). A port the OS
 * hands out for `listen(0)` is one where this machine's outgoing connections (connection pools,
 * gRPC) take their local ports too, and one of them can take it between the probe closing it and
 * the server it was chosen for binding it. Below 32768 a port also fits Temporal's cluster
 * membership table, which stores it in a signed 16-bit column.
 */
const CHOSEN_PORTS = { lowest: 15_000, count: 17_768 };
const CHOICE_ATTEMPTS = 1_000;

/** Whether a server may listen on 127.0.0.1:port now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A free TCP port on 127.0.0.1 for a server about to start there. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < CHOICE_ATTEMPTS; attempt++) {
    const candidate = CHOSEN_PORTS.lowest + Math.floor(Math.random() * CHOSEN_PORTS.count);
    if (await isPortFree(candidate)) return candidate;
  }
  throw new Error(`no free port on 127.0.0.1 in ${CHOICE_ATTEMPTS} tries from ${CHOSEN_PORTS.lowest} up`);
}

/** Resolves when something accepts TCP connections on host:port, or rejects after timeoutMs. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
