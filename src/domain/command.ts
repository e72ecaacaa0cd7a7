/**
 * A command is one write the API performs, written once for every transport (the REST routes
 * today, GraphQL next): `(caller, input, deps) → result`. It knows no HTTP: the caller is the
 * authenticated principal, the input the validated request, and `deps` everything it reaches
 * outside itself. A refusal is thrown with the one error factory (src/shared/errors.ts) or comes
 * from the access rules or a workflow's Update validator; each transport turns it into its own
 * answer (the API's error handler into 403/404/409/422). The transport renders the result.
 */
import type { Client } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { Sequelize, Transaction } from 'sequelize';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import type { OutboxMessage } from '../models';
import type { SignalWorkflowPayload, StartWorkflowPayload } from '../models/outbox-message';
import type { AuditSource } from './audit/record';
import type { DocumentStore } from '../services/documents';
import type { Mailer } from '../services/mailer';
import type { AuthUser } from '../shared/caller';

/** `rpc`: start, signal, describe (the server alone); `query` and `update` also need a worker. */
export type TemporalCallKind = 'rpc' | 'query' | 'update';

/** Temporal as a command reaches it: every call under the deadline of its kind. */
export interface TemporalAccess {
  /**
   * Runs one call under the deadline the configuration sets for its kind; an outage or a missed
   * deadline becomes `dependencyUnavailable` (503), an update of unknown outcome `outcomeUnknown` (504).
   * `deadlineMs` replaces the kind's deadline where the client asked to wait longer (`Prefer: wait`).
   */
  call<T>(kind: TemporalCallKind, call: (temporal: Client) => Promise<T>, deadlineMs?: number): Promise<T>;
  /**
   * The update ID of the caller's decision: it follows from the caller and the idempotency key, so
   * a repeat reaches the same decision (`decideOnRun`, src/services/run-decisions.ts, sends it).
   */
  updateId?: string;
}

/** The transactional outbox (src/api/temporal/outbox.ts): a start or signal written with the change, delivered after the commit. */
export interface Outbox {
  /** `W` is the contract's workflow signature, which types the start's input. */
  enqueueStart<W extends Workflow = never>(
    workflowId: string,
    payload: StartWorkflowPayload<W>,
    transaction: Transaction,
  ): Promise<OutboxMessage>;
  enqueueSignal(workflowId: string, payload: SignalWorkflowPayload, transaction: Transaction): Promise<OutboxMessage>;
  /** The saved report's Temporal Schedule, set to what its definition's row says once the transaction commits. */
  enqueueReportSchedule(definitionId: string, transaction: Transaction): Promise<OutboxMessage>;
  /** One delivery attempt after the commit: the first run ID of a start delivered now, null if delivered before, undefined if left to the relay. */
  deliver(message: OutboxMessage): Promise<string | null | undefined>;
}

/** What a command may use besides its caller and input; each transport builds it per request. */
export interface CommandDeps {
  config: Config;
  sequelize: Sequelize;
  temporal: TemporalAccess;
  outbox: Outbox;
  /** Where claim documents' bytes are kept. */
  documents: DocumentStore;
  /** Sends the account e-mails a command answers with (verification links, password resets). */
  mailer: Mailer;
  logger: Logger;
  /**
   * Who makes the change and through which request: written into each audit event. A public
   * command's source names nobody (`actor.id` null) until the command knows who acts.
   */
  auditSource: AuditSource;
  /**
   * The request's idempotency key, if it has one. IDs derived from it (new resources, update
   * IDs) make a repeat reach the same resource, run and decision.
   */
  idempotencyKey?: string;
}

export type Command<Input, Result> = (caller: AuthUser, input: Input, deps: CommandDeps) => Promise<Result>;

/** A command that changes the given `fields` of the row `id` (a PATCH): those left out keep their value. */
export type UpdateCommand<Fields, Result> = Command<{ id: string; fields: Partial<Fields> }, Result>;

/**
 * What an operator's repair of a row and its run needs (src/domain/operations): the API runs it
 * with a request's deps, a batch repair's activity with the worker's own.
 */
export type RepairDeps = Pick<CommandDeps, 'sequelize' | 'outbox' | 'auditSource'>;
export type RepairCommand<Input, Result> = (caller: AuthUser, input: Input, deps: RepairDeps) => Promise<Result>;

/** A write anyone may ask for, before any sign-in (sign-up, sign-in, a company's registration): it has no caller. */
export type PublicCommand<Input, Result> = (input: Input, deps: CommandDeps) => Promise<Result>;
