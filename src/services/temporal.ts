import fs from 'node:fs';
import { Client, Connection, TLSConfig, type WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { workflowCallRecorder } from '../observability/request-scope';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';

/** TLS settings from the environment (mTLS for Temporal Cloud or a secured cluster). */
export function temporalTls(config: Config['temporal']): TLSConfig | undefined {
  if (!config.tls) return undefined;
  const { serverName, clientCertPath, clientKeyPath, serverRootCaPath } = config.tls;
  return {
    serverNameOverride: serverName,
    serverRootCACertificate: serverRootCaPath ? fs.readFileSync(serverRootCaPath) : undefined,
    clientCertPair: clientCertPath && clientKeyPath ? { crt: fs.readFileSync(clientCertPath), key: fs.readFileSync(clientKeyPath) } : undefined,
  };
}

/** Every client records the runs a request touches; with tracing on it also carries the trace into the run. */
export function clientInterceptors(tracing: boolean): { workflow: WorkflowClientInterceptor[] } {
  return { workflow: [workflowCallRecorder, ...(tracing ? [new OpenTelemetryWorkflowClientInterceptor()] : [])] };
}

export async function connectTemporalClient(config: Config['temporal'], tracing = false): Promise<Client> {
  const connection = await Connection.connect({ address: config.address, tls: temporalTls(config) });
  return new Client({ connection, namespace: config.namespace, interceptors: clientInterceptors(tracing) });
}

/**
 * A client that connects on its first call (the API): the API starts, and answers 503 for what
 * needs Temporal, while Temporal is still down.
 */
export function lazyTemporalClient(config: Config['temporal'], tracing = false): Client {
  const connection = Connection.lazy({ address: config.address, tls: temporalTls(config) });
  return new Client({ connection, namespace: config.namespace, interceptors: clientInterceptors(tracing) });
}

export function connectWorkerConnection(config: Config['temporal']): Promise<NativeConnection> {
  return NativeConnection.connect({ address: config.address, tls: temporalTls(config) });
}
