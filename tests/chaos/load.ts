/**
 * The chaos suite's load: intents (one HTTP write each, with its own Idempotency-Key) fired at a
 * steady pace, their first answers judged against the failure contract, then retried with the
 * same key until each is done.
 */

export interface Intent {
  kind: string;
  method: 'POST' | 'PATCH';
  path: string;
  token: string;
  key: string;
  body?: object;
}

export interface Answer {
  status: number;
  ms: number;
  body: { error?: { code?: string; details?: Array<{ dependency?: string }> }; [field: string]: unknown } | undefined;
  retryAfter: string | null;
}

/** Longer than any deadline: a request still unanswered by then counts as a hang (status 0). */
const HANG_AFTER_MS = 15_000;
/** The contract: an outage answers within this. */
export const ANSWER_WITHIN_MS = 10_000;

export function send(baseUrl: string, intent: Intent): Promise<Answer> {
  return answerOf(`${baseUrl}/api/v1${intent.path}`, {
    method: intent.method,
    headers: {
      authorization: `Bearer ${intent.token}`,
      'idempotency-key': intent.key,
      ...(intent.body && { 'content-type': 'application/json' }),
    },
    body: intent.body && JSON.stringify(intent.body),
  });
}

/** A GET of `path` below the base URL (`/api/v1/…` or `/readyz`), with `token` when given. */
export function read(baseUrl: string, path: string, token?: string): Promise<Answer> {
  return answerOf(`${baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

async function answerOf(url: string, init: RequestInit): Promise<Answer> {
  const started = Date.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(HANG_AFTER_MS) });
    const text = await response.text();
    return {
      status: response.status,
      ms: Date.now() - started,
      body: text ? JSON.parse(text) : undefined,
      retryAfter: response.headers.get('retry-after'),
    };
  } catch {
    return { status: 0, ms: Date.now() - started, body: undefined, retryAfter: null };
  }
}

const isSuccess = (answer: Answer) => answer.status >= 200 && answer.status < 300;
export const isOutage = (answer: Answer) => answer.status === 503 || answer.status === 504;

/** What is wrong with a first answer during a fault, or null: success, or 503/504 with the standard body and Retry-After, in time. */
export function contractBreach(answer: Answer): string | null {
  if (answer.ms > ANSWER_WITHIN_MS) return `answered after ${answer.ms} ms`;
  if (isSuccess(answer)) return null;
  if (!isOutage(answer)) return `status ${answer.status} ${JSON.stringify(answer.body)}`;
  const code = answer.body?.error?.code;
  const dependency = answer.body?.error?.details?.[0]?.dependency;
  if (!['dependency_unavailable', 'outcome_unknown'].includes(code ?? '') || !['temporal', 'worker', 'postgres'].includes(dependency ?? ''))
    return `non-standard body ${JSON.stringify(answer.body)}`;
  if (!answer.retryAfter) return 'no Retry-After';
  return null;
}

/** Fires the intents one every `intervalMs` (not waiting for answers) and collects every first answer. */
export async function fireSteadily(baseUrl: string, intents: Intent[], intervalMs: number): Promise<Answer[]> {
  const answers: Array<Promise<Answer>> = [];
  for (const intent of intents) {
    answers.push(send(baseUrl, intent));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return Promise.all(answers);
}

/**
 * Repeats an intent with its key until it succeeds. Answers allowed meanwhile: 503/504 (still
 * recovering) and 409 while the first request's key is held until its deadline.
 */
export async function retryUntilDone(baseUrl: string, intent: Intent, timeoutMs = 60_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await send(baseUrl, intent);
    if (isSuccess(answer)) return answer;
    const retryable = isOutage(answer) || answer.status === 409 || answer.status === 0;
    if (!retryable || Date.now() > deadline)
      throw new Error(`${intent.kind} ${intent.path} never completed: ${answer.status} ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Interleaves lists (a, b, c, a, b, c …) so every kind of request meets the fault. */
export function interleave<T>(...lists: T[][]): T[] {
  const longest = Math.max(...lists.map((l) => l.length));
  return Array.from({ length: longest }, (_, i) => lists.flatMap((l) => (i < l.length ? [l[i]] : []))).flat();
}

export interface FaultRow {
  fault: string;
  requests: number;
  outages: number;
  maxLatencyMs: number;
  lost: number;
  duplicated: number;
}

export function table(rows: FaultRow[]): string {
  const lines = [
    '| fault | requests | 503/504 | max latency | lost | duplicated |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) => `| ${r.fault} | ${r.requests} | ${r.outages} | ${(r.maxLatencyMs / 1000).toFixed(1)} s | ${r.lost} | ${r.duplicated} |`,
    ),
  ];
  return lines.join('\n');
}
