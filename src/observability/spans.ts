import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { TRACER_NAME } from './tracing-names';

/**
 * Runs `work` in a client span (a call leaving the process: SMTP, a webhook). Without tracing the
 * global tracer is the API's no-op one, so this costs a function call.
 */
export function inClientSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await work();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}
