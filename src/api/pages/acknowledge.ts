/**
 * The page a policy notice or reminder links to (docs/pages.md, Acknowledging a policy):
 * `/app/acknowledge?token=…` shows the company, the policy and version, the exact text with its
 * SHA-256, a field for the name and what signing in would ask (the password, and a second factor's
 * code if the employee has one); its form posts to the same path, which proves the employee so and
 * then runs the `acknowledge` operation (the JSON route's command, with the client's address and
 * user agent as evidence) as the employee the link was mailed to: the link alone signs nothing in
 * their name. The token is signed (src/domain/compliance/acknowledgement-link-tokens.ts); it is
 * single use because the acknowledgement is: once given, every post of the form gets the page that says so.
 */
import Router from '@koa/router';
import Joi from 'joi';
import type { Context } from 'koa';
import type { Config } from '../../config';
import {
  describeAcknowledgementLink,
  proveAcknowledger,
  type AcknowledgementLink,
  type LinkedAcknowledgement,
} from '../../domain/compliance/acknowledgement-link';
import { PolicyVersion } from '../../models';
import { ACKNOWLEDGE_PAGE, acknowledgementLinkKeyOf } from '../../domain/compliance/acknowledgement-link-tokens';
import { ApiError, badRequest } from '../../shared/errors';
import { object, required, requiring } from '../../shared/typed-schema';
import { loginThrottle } from '../auth/login-throttle';
import { authAddressLimit } from '../auth/middleware';
import { mfaCodeThrottle } from '../auth/mfa-throttle';
import { ownerProofKeys } from '../auth/mfa-schemas';
import { acknowledgeKeys } from '../compliance/acknowledgements/schemas';
import { acknowledgeOperation } from '../compliance/operations';
import { clientEvidenceOf } from '../http/client-evidence';
import { commandDepsOf } from '../http/command-deps';
import { formPost, pageErrors, pageHeaders } from './guards';
import { field, html, type SafeHtml } from './html';
import { depsOf, formAs, ownerProofFields, show, tokenOf, TOKEN_MAX_LENGTH, wrongAnswerIn, wrongAnswerOf, type ProofError } from './kit';
import { utcDay } from '../../shared/time';

const TITLE = 'Acknowledge a policy';

/** The form: the token, the hash of the text shown and the name typed, as the JSON route's body reads them, both required here; and the employee's proof. */
const acknowledgeForm = object({
  ...requiring(acknowledgeKeys, ['contentSha256', 'fullName']),
  token: required(Joi.string().max(TOKEN_MAX_LENGTH)),
  ...ownerProofKeys,
});

const policyName = (ack: LinkedAcknowledgement) => html`“${ack.version.policy.title}” (version ${ack.version.versionNumber})`;

const NEW_LINK = 'Ask your compliance team to send you a reminder: it carries a new link.';

/** The page of a link that cannot be used: what happened, and what to do next. */
function problemPage(ctx: Context, link: AcknowledgementLink): void {
  const { ack } = link;
  const says: Record<NonNullable<AcknowledgementLink['problem']>, SafeHtml> = {
    invalid: html`<p role="alert">This link is not valid.</p>
      <p>Open the whole link from the e-mail. If it still does not work: ${NEW_LINK}</p>`,
    expired: html`<p role="alert">This link has expired.</p>
      <p>${ack && html`${policyName(ack)} still waits for your acknowledgement. `}${NEW_LINK}</p>`,
    acknowledged: html`<p role="alert">
        ${ack && policyName(ack)} is already acknowledged${ack?.acknowledgedAt && html`, on ${utcDay(ack.acknowledgedAt)}`}.
      </p>
      <p>There is nothing more to do.</p>`,
    superseded: html`<p role="alert">${ack && policyName(ack)} was replaced by a newer version.</p>
      <p>You need not acknowledge this one. If the newer version applies to you, its own e-mail has its link.</p>`,
    exempt: html`<p role="alert">${ack && policyName(ack)} no longer applies to you.</p>
      <p>There is nothing to do.</p>`,
    inactive: html`<p role="alert">This link cannot be used: your account or your company's account is not active.</p>
      <p>Ask your company's administrator.</p>`,
    company_sign_in: html`<p role="alert">
        Your company signs you in through its own identity provider, so this page cannot check that it is you.
      </p>
      <p>Sign in to Insurflow through your company and acknowledge ${ack && policyName(ack)} there.</p>`,
  };
  const status = link.problem === 'invalid' ? 400 : link.problem === 'inactive' || link.problem === 'company_sign_in' ? 403 : 410;
  show(ctx, status, TITLE, link.tenantName, says[link.problem!]);
}

/** The text, its hash and the form; `error` is the name field's problem after a post, `wrong` the proof's. */
function acknowledgeFormPage(ctx: Context, link: AcknowledgementLink, token: string, error?: string, wrong?: ProofError): void {
  const ack = link.ack!;
  const { version } = ack;
  const contentSha256 = PolicyVersion.hashContent(version.content);
  show(
    ctx,
    error || wrong ? 400 : 200,
    TITLE,
    link.tenantName,
    html`<p>${link.employeeName}, this policy applies to you: please read it and acknowledge it by ${utcDay(ack.dueAt)}.</p>
      <section aria-labelledby="policy-title">
        <h2 id="policy-title">${version.policy.title}, version ${version.versionNumber}</h2>
        <div class="policy-text">${version.content}</div>
        <p class="hint">SHA-256 of this text: <code class="hash">${contentSha256}</code></p>
      </section>
      <form method="post" action="${ACKNOWLEDGE_PAGE}">
        <input type="hidden" name="token" value="${token}" />
        <input type="hidden" name="contentSha256" value="${contentSha256}" />
        ${field({
          name: 'fullName',
          label: 'Your full name',
          type: 'text',
          autocomplete: 'name',
          maxLength: 200,
          hint: 'Typing your name signs your acknowledgement of exactly the text above.',
          error,
        })}
        <p>To sign as yourself, confirm it is you as you would sign in.</p>
        ${ownerProofFields(link.secondFactor, wrong)}
        <button type="submit">Acknowledge</button>
      </form>`,
  );
}

export function acknowledgePageRoutes(config: Config): Router {
  const router = new Router();
  const key = acknowledgementLinkKeyOf(config.jwt);
  const get = [pageHeaders, pageErrors];
  const passwordAttempts = loginThrottle(config);
  const codeAttempts = mfaCodeThrottle(config);

  router.get(ACKNOWLEDGE_PAGE, ...get, async (ctx) => {
    const token = tokenOf(ctx);
    const link = await describeAcknowledgementLink(key, token);
    if (link.problem) return problemPage(ctx, link);
    acknowledgeFormPage(ctx, link, token);
  });

  // A post: only a form from this site, counted per client as every page's post.
  router.post(ACKNOWLEDGE_PAGE, ...get, ...formPost(config), authAddressLimit(config), async (ctx) => {
    const posted = (ctx.request.body ?? {}) as { token?: unknown };
    if (typeof posted.token !== 'string' || posted.token.length > TOKEN_MAX_LENGTH) throw badRequest('This form is incomplete or damaged');
    const token = posted.token;
    const link = await describeAcknowledgementLink(key, token);
    if (link.problem) return problemPage(ctx, link);
    const form = formAs(ctx, acknowledgeForm);
    if (form.problem?.field === 'fullName')
      return acknowledgeFormPage(ctx, link, token, 'Type your full name to sign (at most 200 characters).');
    if (form.problem?.field === 'currentPassword' || form.problem?.field === 'code')
      return acknowledgeFormPage(ctx, link, token, undefined, wrongAnswerOf(form.problem.field));
    if (!form.value) throw badRequest('This form is incomplete or damaged');

    const client = clientEvidenceOf(ctx);
    const deps = commandDepsOf(ctx.services, { caller: link.holder, requestId: ctx.state.requestId as string, client });
    const proof = {
      password: form.value.currentPassword,
      code: form.value.code || undefined,
      passwordAttempts: (email: string) => passwordAttempts(ctx, email),
      codeAttempts: codeAttempts(ctx),
    };
    try {
      // Signed in to nothing yet: a wrong answer is on the record as a failed sign-in by nobody known.
      await proveAcknowledger(depsOf(ctx), link, proof);
    } catch (err) {
      const wrong = wrongAnswerIn(err);
      if (!wrong) throw err;
      return acknowledgeFormPage(ctx, link, token, undefined, wrong);
    }
    const input = { id: link.ack!.id, contentSha256: form.value.contentSha256, fullName: form.value.fullName };
    let ack;
    try {
      ack = await acknowledgeOperation.run(link.holder!, input, deps, { client, services: ctx.services });
    } catch (err) {
      // Given meanwhile (the same form posted twice at once, or through the API): the run refused this one.
      const now = err instanceof ApiError && err.status === 409 ? await describeAcknowledgementLink(key, token) : null;
      if (now?.problem) return problemPage(ctx, now);
      throw err;
    }
    show(
      ctx,
      200,
      'Policy acknowledged',
      link.tenantName,
      html`<p role="status">Thank you, ${ack.typedName}: you acknowledged ${policyName(link.ack!)} on ${utcDay(ack.acknowledgedAt!)}.</p>
        <p>
          Recorded with it: the SHA-256 of the text (<code class="hash">${ack.contentSha256}</code>), the name you typed, and the address
          and browser you used.
        </p>`,
    );
  });
  return router;
}
