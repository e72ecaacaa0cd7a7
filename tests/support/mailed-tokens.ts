/** Single-use tokens the API mails (address verification, password resets, report recipients), read from the SMTP sink. */
import type { Config } from '../../src/config';
import {
  ACKNOWLEDGE_PAGE,
  acknowledgementLinkKeyOf,
  readAcknowledgementToken,
} from '../../src/domain/compliance/acknowledgement-link-tokens';
import type { ReceivedMail, SmtpSink } from './smtp-sink';

export const VERIFY_ACCOUNT_SUBJECT = 'Activate your Insurflow account';
export const ALREADY_REGISTERED_SUBJECT = 'You already have an Insurflow account';
export const VERIFY_REGISTRATION_SUBJECT = 'Confirm your company registration';
export const REGISTRATION_ADDRESS_IN_USE_SUBJECT = 'This address already has an Insurflow account';
export const RECIPIENT_LINK_SUBJECT = 'Confirm that you want to receive an Insurflow report';

/** The token a mail carries on a line of its own. */
export function tokenIn(mail: ReceivedMail): string {
  const token = /^([A-Za-z0-9_-]{43})$/m.exec(mail.text)?.[1];
  if (!token) throw new Error(`no token in the e-mail "${mail.subject}" to ${mail.to.join(', ')}`);
  return token;
}

/** Waits for the newest-arriving mail with this subject to this address that is not in `seen`, and returns its token. */
export async function mailedToken(smtp: SmtpSink, to: string, subject: string, seen: ReceivedMail[] = []): Promise<string> {
  return tokenIn(await smtp.waitFor((m) => m.to.includes(to.toLowerCase()) && m.subject === subject && !seen.includes(m)));
}

/** The link on a line of its own in a mail, to the page at `pathname` (src/domain/action-links.ts). */
export function linkIn(mail: ReceivedMail, pathname: string): URL {
  const found = mail.text.split('\n').find((line) => line.startsWith('http') && new URL(line).pathname === pathname);
  if (!found) throw new Error(`no link to ${pathname} in the e-mail "${mail.subject}"`);
  return new URL(found);
}

/** The ID of the acknowledgement a policy notice's or reminder's link names, read with the key that signs them (undefined if none it signed). */
export function acknowledgementLinkedIn(mail: ReceivedMail, jwt: Config['jwt']): string | undefined {
  const token = linkIn(mail, ACKNOWLEDGE_PAGE).searchParams.get('token') ?? '';
  return readAcknowledgementToken(acknowledgementLinkKeyOf(jwt), token)?.acknowledgementId;
}
