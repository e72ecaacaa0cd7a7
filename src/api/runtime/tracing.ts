/** Imported first by the API's entry point: instrumentations must be in place before pg and http are loaded. */
import { tracingFromEnv } from '../../observability/tracing';

export const tracing = tracingFromEnv('insurflow-api');
