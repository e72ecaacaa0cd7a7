/**
 * Production's METRICS_TOKEN and PAYLOAD_CODEC_KEYS, which the API and the workers require with
 * NODE_ENV=production (docs/security.md, Hardening): made once per run, so every process the
 * benchmark or the chaos suite starts and their own Temporal clients share the payload key.
 */
import type { DataConverter } from '@temporalio/common';
import { payloadCodecOf, productionSecrets } from '../tests/support/config';

export const PRODUCTION_SECRETS = productionSecrets();

/** The data converter of the run's processes, for a client of the harness that reads their payloads (results, queries). */
export const benchDataConverter = (): DataConverter => ({ payloadCodecs: [payloadCodecOf(PRODUCTION_SECRETS)] });
