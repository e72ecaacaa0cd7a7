import type { Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import type { Actor } from '../contracts/actor';
import type { AssignmentRequest } from '../contracts/claim';
import type { SavedReportKind } from '../contracts/scheduled-report';
import type { Claim } from '../models';
import type { DocumentStore } from '../services/documents';
import type { Mailer } from '../services/mailer';
import type { PaymentProvider } from '../services/payment-provider';
import type { WebhookGuard } from '../services/webhook';
import type { ItemHandler } from './operation-items';

/** Everything activities may touch, handed in by the worker (or a test). */
export interface ActivityDeps {
  sequelize: Sequelize;
  mailer: Mailer;
  logger: Logger;
  webhookTimeoutMs: number;
  /** Where webhooks may go; without it only public addresses, http or https. */
  webhookGuard?: WebhookGuard;
  /** For activities that start or signal other workflows (e.g. a rollout starting its acknowledgement runs). */
  temporal: Client;
  /** Task queue the worker serves, for workflows started from activities. */
  taskQueue: string;
  /**
   * Task queue of bulk work: a rollout starts its acknowledgement runs there, so a 10,000-run
   * backlog never queues ahead of another tenant's claims (docs/scaling.md, Bulk work).
   */
  bulkTaskQueue: string;
  /** Public base URL of the API, for links in messages. */
  apiPublicUrl: string;
  /**
   * Signs the links in policy notices and reminders (src/domain/compliance/acknowledgement-link-tokens.ts): a key
   * derived from JWT_SECRET for this alone, so the worker holds no key that signs anything else.
   */
  acknowledgementLinkKey: Buffer;
  /** What opens the webhook endpoints' sealed signing secrets (src/services/sealed-secret.ts). */
  sealing: Config['jwt'];
  /** Where cancellation refunds of card payments are sent; unset when no provider is configured. */
  paymentProvider?: PaymentProvider;
  /**
   * The document store the API uses: claim documents are read from it and removed by a person's
   * erasure or a tenant's offboarding, subject access exports and offboarding exports written to it.
   */
  documents?: DocumentStore;
}

/** A saved report to build. */
export interface SavedReportToBuild {
  tenantId: string;
  kind: SavedReportKind;
  parameters: object;
}

/**
 * Builds a saved report's CSV with the same SQL as its route (src/domain/reports/saved.ts, which
 * activities may not import): handed in by the worker for the scheduled deliveries.
 */
export type SavedReportCsv = (report: SavedReportToBuild, now: Date) => Promise<{ fileName: string; csv: string; rowCount: number }>;

export interface ReportDeliveryDeps {
  savedReportCsv: SavedReportCsv;
}

/**
 * The checks `POST /claims/:id/assign` makes before its Update, answering the Update's request or
 * throwing the refusal (`assignmentRequest` in src/domain/claims/rules.ts, which activities may
 * not import): handed in by the worker, so each item of a bulk reassignment is judged by the very
 * function that judges a single reassignment.
 */
export type AssignmentRequestOf = (claim: Claim, actor: Actor, assigneeId: string, note?: string) => Promise<AssignmentRequest>;

export interface ClaimDecisionDeps {
  assignmentRequest: AssignmentRequestOf;
}

/**
 * Repairs one drifted row of a batch with the single repair's command (`repairDriftedItem` in
 * src/domain/operations/drift-repairs.ts, which activities may not import): null when repaired,
 * else why not. Handed in by the worker.
 */
export interface DriftRepairDeps {
  repairDriftedRow: ItemHandler;
}

/**
 * Retries one incident of a batch as the single retry does (`retryIncidentItem` in
 * src/domain/operations/incident-retries.ts, which activities may not import): null when its
 * activity was tried again, else why not. Handed in by the worker.
 */
export interface IncidentRetryDeps {
  retryIncidentItem: ItemHandler;
}
