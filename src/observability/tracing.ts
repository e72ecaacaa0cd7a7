/**
 * OpenTelemetry tracing for the API and the worker. Installed only when the standard
 * OTEL_EXPORTER_OTLP_ENDPOINT is set: otherwise nothing is registered, the API's no-op tracer
 * answers every call, and no span is ever created (see docs/observability.md).
 */
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { TRACER_NAME } from './tracing-names';

export interface Tracing {
  tracer: Tracer;
  /** Also given to the worker's workflow span sink, so workflow spans leave by the same way. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Sends what is still buffered; called before the process exits. */
  shutdown(): Promise<void>;
}

/**
 * Registers a tracer provider (W3C trace context propagation, async-local context) exporting to
 * `exporter`, plus the PostgreSQL and outbound HTTP instrumentations. Incoming requests get their
 * span from the API's own middleware, which knows the route template, tenant and user.
 */
export function startTracing(serviceName: string, exporter: SpanExporter): Tracing {
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win over the process's own name.
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': serviceName }))
    .merge(envDetectorSync.detect());
  const spanProcessor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  // Incoming requests are left alone entirely: "ignoring" them would suppress every span the
  // request makes, the API's own server span included.
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  return {
    tracer: trace.getTracer(TRACER_NAME),
    spanProcessor,
    resource,
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The OTLP/HTTP exporter the standard variables ask for: protobuf unless `http/json`. */
function otlpExporter(env: NodeJS.ProcessEnv): SpanExporter {
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (protocol === 'http/json') return new OTLPJsonTraceExporter();
  if (protocol === 'http/protobuf') return new OTLPProtoTraceExporter();
  throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (grpc is not supported), not ${protocol}`);
}

/** Tracing as the environment asks: undefined, and nothing installed, without an OTLP endpoint. */
export function tracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  return startTracing(serviceName, otlpExporter(env));
}
