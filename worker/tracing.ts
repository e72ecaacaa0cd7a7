/** Imported first by the worker's entry point: instrumentations must be in place before pg and http are loaded. */
import { tracingFromEnv } from '../src/observability/tracing';

export const tracing = tracingFromEnv('insurflow-worker');
