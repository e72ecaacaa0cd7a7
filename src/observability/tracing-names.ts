/** The instrumentation scope of Insurflow's own spans. */
export const TRACER_NAME = 'insurflow';
