/**
 * The rules of a tenant's link templates and their filling (src/shared/action-urls.ts), and the
 * signed acknowledgement link through a template: pure functions, no server.
 */
import { actionLink } from '../../src/domain/action-links';
import { acknowledgementCallToAction, readAcknowledgementToken } from '../../src/domain/compliance/acknowledgement-link-tokens';
import { actionUrlProblem, actionUrlsProblems, fillActionUrl } from '../../src/shared/action-urls';

const config = { api: { publicUrl: 'https://api.insurflow.example' } } as Parameters<typeof actionLink>[0];

describe('action URL templates', () => {
  it.each([
    'https://app.insurer.example/verify?token={token}',
    'https://app.insurer.example/verify/{token}',
    'https://app.insurer.example:8443/x#t={token}',
    'http://localhost:3000/verify?token={token}',
    'http://127.0.0.1/verify?token={token}',
    `https://app.insurer.example/?token={token}&p=${'a'.repeat(500 - 'https://app.insurer.example/?token={token}&p='.length)}`,
  ])('accepts %s', (template) => {
    expect(actionUrlProblem(template)).toBeUndefined();
  });

  it.each([
    ['no placeholder', 'https://app.insurer.example/verify', /exactly once/],
    ['two placeholders', 'https://app.insurer.example/{token}?t={token}', /exactly once/],
    ['another placeholder', 'https://app.insurer.example/?t={token}&u={user}', /no placeholder but/],
    ['a lone brace', 'https://app.insurer.example/?t={token}}', /no placeholder but/],
    ['javascript:', 'javascript:alert(1)//{token}', /https/],
    ['data:', 'data:text/html,{token}', /https/],
    ['plain http elsewhere', 'http://example.com/?t={token}', /https URL/],
    ['http to a name that starts like localhost', 'http://localhost.evil.example/?t={token}', /https URL/],
    ['scheme-relative', '//app.insurer.example/?t={token}', /absolute URL/],
    ['userinfo', 'https://user:pass@app.insurer.example/?t={token}', /user name or password/],
    ['an empty userinfo', 'https://@app.insurer.example/?t={token}', /user name or password/],
    ['a backslash authority trick', 'https://evil.example\\@app.insurer.example/?t={token}', /backslash/],
    ['the placeholder in the host', 'https://{token}.insurer.example/', /path, query string or fragment/],
    ['the placeholder in the port', 'https://app.insurer.example:{token}/', /absolute URL/],
    ['a space', 'https://app.insurer.example/?t={token}&x=a b', /whitespace/],
    ['a newline', 'https://app.insurer.example/?t={token}\nBcc: x', /whitespace/],
    ['a NUL', 'https://app.insurer.example/?t={token}\u0000', /whitespace/],
    ['a zero-width space', 'https://app.insurer.example/\u200b?t={token}', /whitespace/],
    [
      '501 characters',
      `https://app.insurer.example/?token={token}&p=${'a'.repeat(501 - 'https://app.insurer.example/?token={token}&p='.length)}`,
      /at most 500/,
    ],
    ['not a string', 42, /string/],
  ])('refuses %s', (_, template, message) => {
    expect(actionUrlProblem(template)).toMatch(message);
  });

  it('names each refused field, unknown actions too', () => {
    expect(
      actionUrlsProblems({
        verifyEmail: 'https://a.example/?t={token}',
        resetPassword: 'https://a.example/',
        payClaim: 'https://a.example/?t={token}',
      }),
    ).toEqual([
      { field: 'actionUrls.resetPassword', message: expect.stringContaining('exactly once') },
      { field: 'actionUrls.payClaim', message: expect.stringContaining('is not an action') },
    ]);
  });

  it('URL-encodes the token into the template, so it stays one value', () => {
    const hostile = 'a&b=c#d/e?f g%h{token}$&';
    const link = fillActionUrl('https://app.insurer.example/v?token={token}&x=1', hostile);
    expect(new URL(link).searchParams.get('token')).toBe(hostile);
    expect(new URL(link).searchParams.get('x')).toBe('1');
    expect(new URL(link).host).toBe('app.insurer.example');
  });

  it("builds the tenant's link when it has a template for the action, else the built-in page", () => {
    const urls = { verifyEmail: 'https://app.insurer.example/verify?token={token}' };
    expect(actionLink(config, 'verifyEmail', 'tok', urls)).toBe('https://app.insurer.example/verify?token=tok');
    expect(actionLink(config, 'resetPassword', 'tok', urls)).toBe('https://api.insurflow.example/app/reset-password?token=tok');
    expect(actionLink(config, 'verifyEmail', 'tok', null)).toBe('https://api.insurflow.example/app/verify-email?token=tok');
  });

  it("puts the signed acknowledgement token, whole, into the tenant's page", () => {
    const signer = { publicUrl: 'https://api.insurflow.example', key: Buffer.alloc(32, 7) };
    const ack = { id: '0b5e3f3e-8d1c-4a57-9a0b-6c3f2b1a9e77', dueAt: new Date('2030-01-10T00:00:00Z') };
    const mailedFor = new Date('2030-01-01T00:00:00Z');
    const { url, token } = acknowledgementCallToAction(signer, ack, mailedFor, 'https://app.insurer.example/acknowledge#{token}');
    expect(url).toBe(`https://app.insurer.example/acknowledge#${encodeURIComponent(token)}`);
    const read = readAcknowledgementToken(signer.key, decodeURIComponent(new URL(url).hash.slice(1)));
    expect(read?.acknowledgementId).toBe(ack.id);
    // Without a template: the built-in page, with the very same token.
    expect(new URL(acknowledgementCallToAction(signer, ack, mailedFor).url).searchParams.get('token')).toBe(token);
  });
});
