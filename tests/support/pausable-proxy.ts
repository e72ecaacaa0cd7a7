/**
 * A TCP proxy in front of a real server that can be paused: while paused it accepts connections
 * and reads what arrives but forwards nothing either way, which is what clients see of a server
 * that was SIGSTOPped (the kernel still accepts, nobody answers). Resuming forwards everything
 * held, in order. Connections can also be held for a while after they are accepted, which is what
 * clients see of a busy server slow to start a backend for each new connection; and one connection
 * can be dropped without notice to either end, as a NAT's or load balancer's idle timeout does.
 */
import net, { AddressInfo, Socket } from 'node:net';

export interface PausableProxy {
  port: number;
  pause(): void;
  resume(): void;
  /** Connections accepted from now on forward nothing for their first `ms`; those open go on as they were. */
  holdNewConnections(ms: number): void;
  /**
   * The connection the server sees coming from `port` (its client_port) forwards nothing either way
   * from now on, and neither end hears of it; false when no connection of the proxy has that port.
   */
  dropSilently(port: number): boolean;
  close(): Promise<void>;
}

export async function startPausableProxy(target: { host: string; port: number }): Promise<PausableProxy> {
  let paused = false;
  let newConnectionsHeldMs = 0;
  const held: Array<[Socket, Buffer]> = [];
  const sockets = new Set<Socket>();
  /** Connections still within their first hold: what arrives for them is held too. */
  const starting = new Set<Socket>();
  /** Both sockets of each connection dropped silently: what arrives for them is lost. */
  const dropped = new Set<Socket>();
  /** Each upstream socket and the client socket it serves. */
  const peers = new Map<Socket, Socket>();

  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk: Buffer) => {
      if (dropped.has(to)) return;
      if (paused || starting.has(to)) held.push([to, chunk]);
      else to.write(chunk);
    });
  /** Writes what was held for sockets free to receive, in order. */
  const release = () => {
    const waiting = held.splice(0);
    for (const [to, chunk] of waiting) {
      if (paused || starting.has(to)) held.push([to, chunk]);
      else if (!to.destroyed) to.write(chunk);
    }
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    if (newConnectionsHeldMs > 0) {
      starting.add(client).add(upstream);
      setTimeout(() => {
        starting.delete(client);
        starting.delete(upstream);
        release();
      }, newConnectionsHeldMs);
    }
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        peers.delete(socket);
        starting.delete(socket);
        dropped.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    peers.set(upstream, client);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      release();
    },
    holdNewConnections(ms) {
      newConnectionsHeldMs = ms;
    },
    dropSilently(port) {
      for (const [upstream, client] of peers) {
        if (upstream.localPort !== port) continue;
        dropped.add(upstream).add(client);
        return true;
      }
      return false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
