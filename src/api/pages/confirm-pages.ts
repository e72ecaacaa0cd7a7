/**
 * The pages whose one button confirms what a mailed link asks (docs/pages.md): a company
 * registration's administrator address, which submits the registration, and an address outside a
 * tenant's staff that wants one of its saved reports.
 */
import { ACTION_PAGES } from '../../domain/action-links';
import { describeRecipientLink, describeRegistrationLink } from '../../domain/identity/mailed-links';
import { submitRegistration } from '../../domain/onboarding/commands';
import { confirmReportRecipient } from '../../domain/reports/recipients';
import { html } from './html';
import { buttonPage, depsOf, linkProblemPage, type PageRoutes } from './kit';

const registrationLinkProblem = linkProblemPage('Confirm your company registration', {
  used: html`<p role="alert">This link has already been used: the registration was submitted.</p>
    <p>The Insurflow team reviews it; you will get an e-mail with the decision.</p>`,
  expired: html`<p role="alert">This link has expired.</p>
    <p>Nothing was submitted. Please register the company again; a new link will be sent.</p>`,
  invalid: html`<p role="alert">This link is not valid.</p>
    <p>Open the whole link from the e-mail.</p>`,
});

const recipientLinkProblem = linkProblemPage('Receive a report', {
  used: html`<p role="alert">This link has already been used: you receive the report.</p>
    <p>Nothing more to do.</p>`,
  expired: html`<p role="alert">This link has expired.</p>
    <p>You receive nothing of the report. Ask the person who added you to save the report again: a new link will be sent.</p>`,
  invalid: html`<p role="alert">This link is not valid, or you are no longer among the report's recipients.</p>
    <p>Open the whole link from the e-mail, or ask the person who added you.</p>`,
});

export const CONFIRM_PAGES: PageRoutes[] = [
  buttonPage({
    path: ACTION_PAGES.confirmRegistration,
    title: 'Confirm your company registration',
    describe: describeRegistrationLink,
    problemPage: registrationLinkProblem,
    intro: (link) =>
      html`<p>
        Confirm that this e-mail address is the administrator's of <strong>${link.companyName}</strong>: the registration then reaches the
        Insurflow team for review.
      </p>`,
    button: 'Confirm and submit the registration',
    run: (token, ctx) => submitRegistration({ token }, depsOf(ctx)),
    done: {
      title: 'Your registration is submitted',
      body: html`<p role="status">
        Thank you: the registration is submitted. You will get an e-mail once the Insurflow team has decided.
      </p>`,
    },
  }),
  buttonPage({
    path: ACTION_PAGES.confirmReportRecipient,
    title: 'Receive a report',
    describe: describeRecipientLink,
    problemPage: recipientLinkProblem,
    intro: (link) =>
      html`<p>
        ${link.tenantName} asks to e-mail you the report <strong>${link.reportName}</strong> on a schedule. Nothing of it is sent to you
        until you confirm.
      </p>`,
    button: 'Yes, send me this report',
    run: (token, ctx) => confirmReportRecipient({ token }, depsOf(ctx)),
    done: {
      title: 'You will receive the report',
      body: html`<p role="status">Thank you: you will receive the report from its next delivery on.</p>`,
    },
    refused: {
      // The address was judged since the link was mailed (src/domain/reports/recipient-links.ts): the API's 409 names the rule.
      recipient_not_permitted: (link) =>
        html`<p role="alert">This address may not receive the report <strong>${link.reportName}</strong>.</p>
          <p>
            The report holds information that only some people may read: this address belongs to an account whose role may not see it or
            that is no longer active, or it is outside the company and the report names people. Nothing was confirmed, and the report will
            not be sent to you. If you should receive it, ask the person who added you.
          </p>`,
    },
  }),
];
