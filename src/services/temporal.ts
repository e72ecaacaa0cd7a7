import fs from 'node:fs';
import { Client, Connection, TLSConfig } from '@temporalio/client';
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

export async function connectTemporalClient(config: Config['temporal']): Promise<Client> {
  const connection = await Connection.connect({ address: config.address, tls: temporalTls(config) });
  return new Client({ connection, namespace: config.namespace });
}

/**
 * A client that connects on its first call (the API): the API starts, and answers 503 for what
 * needs Temporal, while Temporal is still down.
 */
export function lazyTemporalClient(config: Config['temporal']): Client {
  return new Client({ connection: Connection.lazy({ address: config.address, tls: temporalTls(config) }), namespace: config.namespace });
}

export function connectWorkerConnection(config: Config['temporal']): Promise<NativeConnection> {
  return NativeConnection.connect({ address: config.address, tls: temporalTls(config) });
}
