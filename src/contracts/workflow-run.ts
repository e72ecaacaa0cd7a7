/**
 * How a process's runs are named, declared once in its contract (`claimRun`, `subscriptionRun`…) and
 * read by the worker's registration, the API, the outbox, the access rules and tests. Both strings
 * are in recorded histories and in runs in flight: they never change.
 */
export interface WorkflowRun<Key extends unknown[]> {
  /** The workflow type name: the body's export in src/workflows/index.ts, which every start names. */
  readonly type: string;
  /** What every run's workflow ID starts with (the access rules find a run's owner by it). */
  readonly idPrefix: string;
  /** The workflow ID of one run: the prefix, then its key. */
  readonly id: (...key: Key) => string;
}

/** Runs named `<idPrefix><id>`, or `<idPrefix>` followed by what `keyOf` writes of the run's key. */
export function workflowRun(type: string, idPrefix: string): WorkflowRun<[id: string]>;
export function workflowRun<KeyOf extends (...key: never[]) => string>(
  type: string,
  idPrefix: string,
  keyOf: KeyOf,
): WorkflowRun<Parameters<KeyOf>>;
export function workflowRun(
  type: string,
  idPrefix: string,
  keyOf: (...key: unknown[]) => string = (id) => String(id),
): WorkflowRun<unknown[]> {
  return { type, idPrefix, id: (...key) => `${idPrefix}${keyOf(...key)}` };
}
