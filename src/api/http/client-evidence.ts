/**
 * Where a request came from, kept as evidence with what the caller signs (an acknowledgement):
 * the client address and user agent, bounded, null when absent. One reading for every transport.
 */
import type { Context } from 'koa';

const USER_AGENT_MAX = 500;

export interface ClientEvidence {
  clientAddress: string | null;
  userAgent: string | null;
}

export function clientEvidenceOf(ctx: Context): ClientEvidence {
  return { clientAddress: ctx.ip || null, userAgent: ctx.get('User-Agent').slice(0, USER_AGENT_MAX) || null };
}
