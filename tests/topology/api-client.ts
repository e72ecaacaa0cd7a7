/**
 * How the topology suites talk to the shipped application: HTTP calls that never throw (an answer
 * records its status, body, Retry-After and whether the network failed), the operator command of the
 * image, and the mailed links and logins every scenario starts with.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { mailedToken } from '../support/mailed-tokens';
import type { SmtpSink } from '../support/smtp-sink';

/** The password of every account the suites create. */
export const PASSWORD = 'Topology-Password-1';

export interface Answer {
  status: number;
  ms: number;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  retryAfter: string | null;
  /** The network failed (no HTTP answer at all). */
  failed: boolean;
  /** When the request was sent (epoch ms). */
  at: number;
}

export async function call(
  baseUrl: string,
  method: string,
  route: string,
  options: { token?: string; body?: object; key?: string } = {},
): Promise<Answer> {
  const started = Date.now();
  try {
    const response = await fetch(`${baseUrl}/api/v1${route}`, {
      method,
      headers: {
        ...(options.token && { authorization: `Bearer ${options.token}` }),
        ...(options.key && { 'idempotency-key': options.key }),
        ...(options.body && { 'content-type': 'application/json' }),
      },
      body: options.body && JSON.stringify(options.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return {
      status: response.status,
      ms: Date.now() - started,
      body: text ? JSON.parse(text) : {},
      retryAfter: response.headers.get('retry-after'),
      failed: false,
      at: started,
    };
  } catch {
    return { status: 0, ms: Date.now() - started, body: {}, retryAfter: null, failed: true, at: started };
  }
}

/** Throws unless the answer has the expected status; answers its body. */
export function expectStatus(answer: Answer, status: number, what: string) {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Runs the image's operator command with the processes' environment, `stdin` on its standard input. */
export function adminCommand(
  appDir: string,
  env: Record<string, string>,
  args: string[],
  stdin: string,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [path.join(appDir, 'dist', 'scripts', 'admin.js'), ...args],
      { env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
    );
    child.stdin!.end(stdin);
  });
}

/** Follows the link mailed to `email` (`subject` names which) by sending its token to `route`; answers the reply's body. */
export async function followMailedLink(smtp: SmtpSink, api: string, route: string, email: string, subject: string, status: number) {
  const token = await mailedToken(smtp, email, subject);
  return expectStatus(await call(api, 'POST', route, { body: { token } }), status, `${route} for ${email}`);
}

export async function login(api: string, email: string): Promise<string> {
  return expectStatus(await call(api, 'POST', '/auth/login', { body: { email, password: PASSWORD } }), 200, `login ${email}`).tokens
    .accessToken;
}

/**
 * Sends a write as docs/api.md tells clients to: a 503 or 504 (the outcome is not known yet) is
 * repeated with the same Idempotency-Key after Retry-After, up to `attempts` times. `retried`, when
 * given, counts the repeats of every request sent through it.
 */
export async function callAsClientsDo(
  baseUrl: string,
  method: string,
  route: string,
  options: { token?: string; body?: object; key: string },
  retried: { count: number } = { count: 0 },
  attempts = 30,
): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    const answer = await call(baseUrl, method, route, options);
    if ((answer.status !== 503 && answer.status !== 504) || attempt === attempts) return answer;
    retried.count += 1;
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(answer.retryAfter ?? 1)));
  }
}
