import type { Tracer } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import type { Config } from '../../config';
import type { Logger } from '../../config/logger';
import type { PaymentServices } from '../../domain/premiums/card-payments';
import type { DocumentStore } from '../../services/documents';
import type { Mailer } from '../../services/mailer';

/** What route handlers may use, reachable as ctx.services. */
export interface ApiServices {
  config: Config;
  sequelize: Sequelize;
  temporal: Client;
  logger: Logger;
  /** Where claim documents' bytes are kept, chosen once at start-up from the configuration. */
  documents: DocumentStore;
  /** The account e-mails' sender (verification links, password resets, failed sign-ins). */
  mailer: Mailer;
  /** The payment provider and what its webhook events do; absent when none is configured (no `STRIPE_SECRET_KEY`). */
  payments?: PaymentServices;
  /** Present when tracing is on: every request then gets a server span. */
  tracer?: Tracer;
  /** The API process's stop in progress (server.ts): readiness turns off first. Absent in tests that never stop. */
  drain?: { draining: boolean };
}

declare module 'koa' {
  interface DefaultContext {
    /** Set once on the app's context (app.ts), so every request's context carries it. */
    services: ApiServices;
  }
}
