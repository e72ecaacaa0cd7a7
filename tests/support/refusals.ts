import { toApiError } from '../../src/api/http/middleware/error-handler';

/** What a transport would answer for the refusal `promise` ends with: its status, code and message. */
export async function refusal(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  const answer = toApiError(err);
  if (!answer) throw new Error(`expected a refusal the API answers, got ${String(err)}`);
  return { status: answer.status, code: answer.code, message: answer.message };
}
