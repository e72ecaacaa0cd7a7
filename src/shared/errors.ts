/**
 * Errors with stable machine-readable codes and the HTTP status they answer. Route handlers and
 * the commands of src/domain throw these; the API's error middleware turns them (and the errors of
 * libraries we use) into the one error body of docs/architecture.md.
 */
import type { ValidationError } from 'joi';

export interface ErrorDetail {
  field?: string;
  message: string;
  [key: string]: unknown;
}

/** A Joi refusal as details, each field named from where it was sent (`body.email`, `input.first`). */
export const fieldDetails = (error: ValidationError, part: string): ErrorDetail[] =>
  error.details.map((d) => ({ field: [part, ...d.path].join('.'), message: d.message }));

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = []) => new ApiError(400, 'bad_request', message, details);
export const validationFailed = (details: ErrorDetail[]) => new ApiError(400, 'validation_failed', 'The request is invalid', details);
export const unauthorized = (message = 'Authentication required') => new ApiError(401, 'unauthorized', message);
export const forbidden = (message = 'You are not allowed to do this') => new ApiError(403, 'forbidden', message);
export const notFound = (what = 'Resource') => new ApiError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, details: ErrorDetail[] = []) => new ApiError(409, 'conflict', message, details);
export const unprocessable = (message: string, details: ErrorDetail[] = []) => new ApiError(422, 'unprocessable', message, details);
/** The platform would be left without an active admin, and only the CLI could reach it again. */
export const lastPlatformAdmin = () =>
  new ApiError(409, 'last_platform_admin', 'The last active platform admin cannot be deactivated; add or reactivate another one first');
export const lastTenantAdmin = () =>
  new ApiError(
    409,
    'last_tenant_admin',
    'The last active admin of the tenant cannot be deactivated or demoted; make another user admin first',
  );
/** A limit of what a tenant may store (documents per claim, bytes per tenant): `details` names the quota, its limit and what is used. */
export const quotaExceeded = (message: string, details: ErrorDetail[]) => new ApiError(422, 'quota_exceeded', message, details);
/**
 * Staff binding a policyholder's quote for another holder (docs/quotes.md, Binding): the quote prices the
 * risk its holder described, so it is no price for anyone else's. `field` names who the request issues to.
 */
export const quoteOfAnotherHolder = (field: 'policyholderId' | 'newPolicyholder') =>
  new ApiError(
    422,
    'quote_of_another_holder',
    "The quote prices another policyholder's risk and binds only for them: ask for a quote for this policyholder",
    [{ field, message: 'the quote was asked for by another policyholder' }],
  );
/** The claimant, under any of their accounts, acting on their own claim (the workflow answers the same code). */
export const ownClaim = (message: string) => new ApiError(403, 'own_claim', message, [{ rule: 'separation_of_duties', message }]);
/** A decision the person who asked for it may not take themselves: a second one must (a tenant's offboarding). */
export const samePerson = (message: string) => new ApiError(403, 'same_person', message, [{ rule: 'separation_of_duties', message }]);
/**
 * A saved report's recipient link followed for an address that may not read the report (docs/reports.md, Who
 * receives a report): the link was minted before the address was judged so, and confirms nothing now.
 */
export const recipientNotPermitted = (message: string) =>
  new ApiError(409, 'recipient_not_permitted', message, [{ field: 'token', message, rule: 'recipient_not_permitted' }]);
/**
 * A decision only a person gives (a second pair of eyes on money or a policy version, an
 * acknowledgement) asked by an API key: a machine acting as the admin who made it, whose say is nobody's own.
 */
export const personRequired = (decision: string) =>
  new ApiError(403, 'person_required', `${decision} is a person's decision: sign in to give it; an API key cannot`);
/** The caller's company is suspended by the platform (docs/onboarding.md, Suspending a tenant): told only to a caller who proved who they are. */
/** A legal hold on the person keeps their data: no erasure is accepted or carried on (docs/privacy.md). */
export const legalHold = () => new ApiError(409, 'legal_hold', 'A legal hold on this person keeps their data; release it first');
/**
 * The person's claims still open: the insurer keeps what they need (documents, name, address, the
 * payee's account) until they close (GDPR Art. 17(3)(b), (e)). `details` names each claim.
 */
export const claimOpen = (claims: Array<{ id: string; claimNumber: string }>) =>
  new ApiError(
    409,
    'claim_open',
    'This person has open claims, which need their data until they close: ask again once they are closed',
    claims.map(({ id, claimNumber }) => ({
      field: 'userId',
      message: `claim ${claimNumber} is open`,
      rule: 'claim_open',
      claimId: id,
      claimNumber,
    })),
  );

/**
 * The insurer owes the person money on their policies (a credit, a refund not yet paid back): paying it back needs
 * their name and account, so the erasure waits until it is (docs/privacy.md). `details` names each policy and sum.
 */
export const moneyOwed = (owed: Array<{ subscriptionId: string; currency: string; credit: string; refundPending: string }>) =>
  new ApiError(
    409,
    'money_owed',
    'The insurer owes this person money (a credit or a refund not yet paid back): ask again once it is paid back or used',
    owed.map((sums) => ({
      field: 'userId',
      message: `policy ${sums.subscriptionId} owes them a credit of ${sums.credit} and refunds of ${sums.refundPending} ${sums.currency}`,
      rule: 'money_owed',
      ...sums,
    })),
  );
/**
 * The claimant's data is erased (docs/privacy.md, Reopening an erased claimant's claim): their claim is kept as a
 * record and no longer handled, since nobody could tell them of it or pay them.
 */
export const claimantErased = () =>
  new ApiError(409, 'claimant_erased', 'The claimant of this claim is erased: the claim is kept as a record and is not handled again', [
    { field: 'claimantId', message: 'is erased', rule: 'claimant_erased' },
  ]);
/** An erased person's account is a kept record (docs/privacy.md): it is not reactivated nor changed. */
export const userErased = () =>
  new ApiError(409, 'user_erased', 'This account is erased: it is kept as a record and is not reactivated or changed', [
    { field: 'id', message: 'is an erased account', rule: 'user_erased' },
  ]);
/** A new claim on a policy whose policyholder is erased: nobody could be told of it or paid by it (docs/privacy.md). */
export const policyholderErased = () =>
  new ApiError(409, 'claimant_erased', 'The policyholder of this policy is erased: no claim is filed for them', [
    { field: 'subscriptionId', message: 'has an erased policyholder', rule: 'claimant_erased' },
  ]);
/**
 * A payment by hand that would keep credit on a policy whose policyholder is erased: the credit would be owed to
 * nobody the insurer can reach or pay, which is why an erasure waits while one is owed (docs/privacy.md).
 */
export const creditToErasedPolicyholder = () =>
  new ApiError(409, 'policyholder_erased', 'The policyholder of this policy is erased: no credit is kept for them', [
    { field: 'excessAsCredit', message: 'cannot keep credit for an erased policyholder', rule: 'policyholder_erased' },
  ]);

export const tenantSuspended = () =>
  new ApiError(403, 'tenant_suspended', "Your company's Insurflow account is suspended; its administrator has been told why");
/** A staff member's password sign-in where their tenant requires company sign-in (docs/accounts.md): told only to whoever knows the password. */
export const ssoRequired = (tenantId: string) =>
  new ApiError(
    403,
    'sso_required',
    `Your company requires signing in through its identity provider: GET /api/v1/auth/sso/${tenantId}/start`,
  );
/** A change that asks for the caller's password (password or e-mail change) was sent a wrong one. */
export const wrongCurrentPassword = () =>
  new ApiError(400, 'wrong_current_password', 'The current password is wrong', [{ field: 'currentPassword', message: 'does not match' }]);
/**
 * A change only the person may make (enrolling a second factor) asked with a session alone, which a
 * stolen token or an unattended browser also has: the password, or a sign-in of a moment ago, proves them there.
 */
export const reauthenticationRequired = (withinMinutes: number) =>
  new ApiError(
    403,
    'reauthentication_required',
    `Confirm it is you: send your password as currentPassword, or sign in again and do this within ${withinMinutes} minutes`,
    [{ field: 'currentPassword', message: 'is required unless you signed in a moment ago' }],
  );
/** A second-factor code (or recovery code) that is wrong or already used: 401 at sign-in, 400 on a signed-in route (the session is fine). */
export const wrongMfaCode = (status: 400 | 401) =>
  new ApiError(status, 'wrong_mfa_code', 'The code is wrong or was already used', [{ field: 'code', message: 'does not match' }]);
/** A sign-in's second step (or enrolment token) that cannot be used: unknown, used, expired or out of attempts. */
export const mfaChallengeRefused = () =>
  new ApiError(401, 'invalid_mfa_challenge', 'This sign-in step is invalid, used up or expired; sign in again');
/** Stripe's and the IETF Idempotency-Key draft's answer: a key names one request, whatever became of it. */
export const idempotencyKeyReused = () =>
  new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request; use a new key for a new request');
/** The API itself is saturated (its password hashing queue is full): answered at once with Retry-After. */
export const overloaded = (message: string) => new ApiError(503, 'overloaded', message);
/** A single-use link already followed, or run out: it will never work again (410). */
export const linkGone = (message: string) => new ApiError(410, 'link_gone', message);
export const tooManyRequests = () => new ApiError(429, 'rate_limited', 'Too many requests, slow down');
/** A body larger than the route takes (a route that reads its own body; the JSON parser's limit answers the same). */
export const payloadTooLarge = (limitBytes: number) =>
  new ApiError(413, 'payload_too_large', `The body is larger than this route takes (${limitBytes} bytes)`);
export const unsupportedMediaType = () => new ApiError(415, 'unsupported_media_type', 'Send JSON with Content-Type: application/json');

export type Dependency = 'temporal' | 'worker' | 'postgres' | 's3' | 'document_disk' | 'payment_provider' | 'identity_provider';
/** An outage, not a fault of the request: answered with Retry-After so the client comes back. */
export const dependencyUnavailable = (dependency: Dependency) =>
  new ApiError(503, 'dependency_unavailable', `A service this request needs (${dependency}) did not answer in time; retry later`, [
    { dependency, message: 'unavailable or too slow' },
  ]);
/** The change may or may not have been made: the client repeats it with the same Idempotency-Key. */
export const outcomeUnknown = (dependency: Dependency) =>
  new ApiError(
    504,
    'outcome_unknown',
    'The change was sent but its outcome is not known yet; repeat the request with the same Idempotency-Key',
    [{ dependency, message: 'no answer before the deadline' }],
  );
