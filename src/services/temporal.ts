import fs from 'node:fs';
import { status as grpcStatus } from '@grpc/grpc-js';
import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  type GrpcRetryOptions,
  makeGrpcRetryInterceptor,
  TLSConfig,
  type DataConverter,
  type WorkflowClientInterceptor,
} from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { workflowCallRecorder } from '../observability/request-scope';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';
import { AesGcmPayloadCodec } from './payload-codec';
import { PersonDataCodec } from './person-data-codec';
import { personDataKeyring } from './person-data-keys';

/** TLS settings from the environment (mTLS for Temporal Cloud or a secured cluster). */
export function temporalTls(config: Config['temporal']): TLSConfig | undefined {
  if (!config.tls) return undefined;
  const { serverName, clientCertPath, clientKeyPath, serverRootCaPath } = config.tls;
  return {
    serverNameOverride: serverName,
    serverRootCACertificate: serverRootCaPath ? fs.readFileSync(serverRootCaPath) : undefined,
    clientCertPair:
      clientCertPath && clientKeyPath ? { crt: fs.readFileSync(clientCertPath), key: fs.readFileSync(clientKeyPath) } : undefined,
  };
}

/** Every client records the runs a request touches; with tracing on it also carries the trace into the run. */
export function clientInterceptors(tracing: boolean): { workflow: WorkflowClientInterceptor[] } {
  return { workflow: [workflowCallRecorder, ...(tracing ? [new OpenTelemetryWorkflowClientInterceptor()] : [])] };
}

/**
 * The codecs every client, worker and the codec routes apply, in encoding order: the person data
 * codec, always on, seals each person's marked fields with their own key (it reads the keys through
 * the models, which every process with a database initialises); then, when keys are configured,
 * the AES-GCM codec encrypts every payload whole.
 */
export function payloadCodecs(config: Config['temporal']): PayloadCodec[] {
  const personData = new PersonDataCodec(personDataKeyring(config.payloadCodec));
  return config.payloadCodec ? [personData, new AesGcmPayloadCodec(config.payloadCodec)] : [personData];
}

/**
 * The one data converter of every Temporal client and worker: a client without the worker's codec
 * could neither read what the worker wrote nor write what it can read.
 */
export function temporalDataConverter(config: Config['temporal']): DataConverter {
  return { payloadCodecs: payloadCodecs(config) };
}

/** A client on an existing connection, as every process and test makes it. */
export function temporalClient(connection: Connection, config: Config['temporal'], tracing = false): Client {
  return new Client({
    connection,
    namespace: config.namespace,
    interceptors: clientInterceptors(tracing),
    dataConverter: temporalDataConverter(config),
  });
}

export async function connectTemporalClient(config: Config['temporal'], tracing = false): Promise<Client> {
  return temporalClient(await Connection.connect({ address: config.address, tls: temporalTls(config) }), config, tracing);
}

/**
 * Attempts of one API call that Temporal answers unavailable: the first and two retries, 0.2 and
 * 0.3 s apart (0.5 s in all), ride out a blip such as a connection being made again. The SDK's default (10 attempts
 * backing off up to 5 s) went on retrying a server whose process was gone, every connection
 * refused, until the call's deadline: each request needing Temporal answered 503 only after 5 to 7 s.
 * Every other retryable answer (a server shedding load answers RESOURCE_EXHAUSTED) keeps the SDK's retries.
 */
const UNAVAILABLE_ATTEMPTS = 3;

function fewRetriesWhenUnavailable(): GrpcRetryOptions {
  const sdk = defaultGrpcRetryOptions();
  return {
    delayFunction: sdk.delayFunction,
    retryableDecider: (attempt, status) =>
      sdk.retryableDecider(attempt, status) && (status.code !== grpcStatus.UNAVAILABLE || attempt < UNAVAILABLE_ATTEMPTS),
  };
}

/**
 * A client that connects on its first call (the API): the API starts, and answers 503 for what
 * needs Temporal, while Temporal is still down; a refused call is retried a few times only.
 */
export function lazyTemporalClient(config: Config['temporal'], tracing = false): Client {
  const retry = makeGrpcRetryInterceptor(fewRetriesWhenUnavailable());
  return temporalClient(Connection.lazy({ address: config.address, tls: temporalTls(config), interceptors: [retry] }), config, tracing);
}

export function connectWorkerConnection(config: Config['temporal']): Promise<NativeConnection> {
  return NativeConnection.connect({ address: config.address, tls: temporalTls(config) });
}
