/**
 * The worker's Prometheus endpoint: the Temporal SDK runtime's own metrics (task slots, poll
 * and schedule latencies, sticky cache, failures) next to Node process metrics and the worker's
 * business counters, on one port. The runtime serves its metrics itself, so it is bound to a
 * private loopback port and this endpoint adds its text to the Node side's.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Runtime, type Logger as TemporalLogger } from '@temporalio/worker';
import client from 'prom-client';
import { workerBusinessRegistry } from './business-metrics';
import { metricsAccessAllowed } from './metrics-access';

export interface WorkerMetricsOptions {
  host: string;
  port: number;
  token?: string;
  /** The runtime's logger; the SDK's default when not given. */
  runtimeLogger?: TemporalLogger;
}

export interface WorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

/** A port nobody listens on now, for the runtime's exporter (which cannot report the port it took). */
async function freeLoopbackPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function runtimeMetrics(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok ? await response.text() : '';
  } catch {
    // A scrape during start-up or shutdown still gets the Node side.
    return '';
  }
}

/**
 * Installs the Temporal runtime with its Prometheus exporter and serves the combined metrics.
 * Must run before the worker's first connection (the runtime is a process-wide singleton).
 */
export async function startWorkerMetrics(options: WorkerMetricsOptions): Promise<WorkerMetricsServer> {
  const runtimePort = await freeLoopbackPort();
  Runtime.install({
    ...(options.runtimeLogger ? { logger: options.runtimeLogger } : {}),
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${runtimePort}` } } },
  });
  const processRegistry = new client.Registry();
  client.collectDefaultMetrics({ register: processRegistry });
  const nodeRegistry = client.Registry.merge([processRegistry, workerBusinessRegistry]);
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (!metricsAccessAllowed(options.token, req.headers.authorization)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end();
      return;
    }
    void Promise.all([runtimeMetrics(`http://127.0.0.1:${runtimePort}/metrics`), nodeRegistry.metrics()]).then(([runtime, node]) => {
      res.writeHead(200, { 'Content-Type': nodeRegistry.contentType }).end(`${runtime.trimEnd()}\n${node}`);
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
