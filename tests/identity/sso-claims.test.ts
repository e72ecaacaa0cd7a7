/**
 * What company sign-in takes from a verified ID token's claims (src/domain/identity/sso.ts), for the
 * claim shapes Keycloak does not send: `email_verified` absent (Entra ID's ID tokens) or the
 * string "false"/"true" (some providers) is no verified address; an `email` that is no address
 * (Keycloak refuses one, other directories take any string) is refused; a `name` on several lines
 * or with control characters is made one line; which `amr` and `acr` values count as a second
 * factor proven at the provider.
 */
import { identityFrom, secondFactorAsserted, SsoRefused } from '../../src/domain/identity/sso';
import { ONE_LINE_PATTERN } from '../../src/shared/one-line-text';

const SSO = {
  issuer: 'https://login.acme-insurance.test/realms/staff',
  allowedDomains: ['acme-insurance.test'],
  groupRoles: { 'claims-adjusters': 'adjuster' as const },
  mfaAcrValues: ['urn:acme:loa:mfa'],
};
const CLAIMS = { sub: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', email: 'boss@acme-insurance.test', groups: ['claims-adjusters'] };

/** The refusal's code, or 'signed in'. */
function outcomeOf(claims: Record<string, unknown>): string {
  try {
    identityFrom(claims, SSO);
    return 'signed in';
  } catch (err) {
    if (err instanceof SsoRefused) return err.code;
    throw err;
  }
}

describe('company sign-in: the ID token claims it trusts', () => {
  it('takes an address as verified only when email_verified is the JSON boolean true', () => {
    expect(outcomeOf({ ...CLAIMS, email_verified: true })).toBe('signed in');
    expect(outcomeOf(CLAIMS)).toBe('sso_email_unverified');
    expect(outcomeOf({ ...CLAIMS, email_verified: 'false' })).toBe('sso_email_unverified');
    expect(outcomeOf({ ...CLAIMS, email_verified: 'true' })).toBe('sso_email_unverified');
    expect(outcomeOf({ ...CLAIMS, email_verified: false })).toBe('sso_email_unverified');
    expect(outcomeOf({ ...CLAIMS, email_verified: 1 })).toBe('sso_email_unverified');
    expect(outcomeOf({ ...CLAIMS, email: undefined, email_verified: true })).toBe('sso_email_missing');
  });

  it('refuses an address that is not one, as POST /users would, whatever its domain looks like', () => {
    const verified = { ...CLAIMS, email_verified: true };
    const outcome = (email: unknown) => {
      try {
        identityFrom({ ...verified, email }, SSO);
        return 'signed in';
      } catch (err) {
        if (err instanceof SsoRefused) return { status: err.status, code: err.code };
        throw err;
      }
    };
    const invalid = { status: 403, code: 'sso_email_invalid' };
    // No '@': the whole string is no domain of an address, though it is an allowed one.
    expect(outcome('acme-insurance.test')).toEqual(invalid);
    expect(outcome('a b"<x>@acme-insurance.test')).toEqual(invalid);
    expect(outcome('"a b"@acme-insurance.test')).toEqual(invalid);
    expect(outcome('ctl\n@acme-insurance.test')).toEqual(invalid);
    expect(outcome('@acme-insurance.test')).toEqual(invalid);
    expect(outcome(`${'a'.repeat(250)}@acme-insurance.test`)).toEqual(invalid);
    expect(outcome('  Boss@Acme-Insurance.test ')).toBe('signed in');
    expect(identityFrom({ ...verified, email: '  Boss@Acme-Insurance.test ' }, SSO).email).toBe('boss@acme-insurance.test');
    expect(outcome('boss@elsewhere.test')).toEqual({ status: 403, code: 'sso_domain_not_allowed' });
  });

  it('makes the name one line of printable text, or takes the address where nothing of it shows', () => {
    const nameOf = (name: unknown) => identityFrom({ ...CLAIMS, email_verified: true, name }, SSO).fullName;
    const fullName = nameOf('Eve\nSecond line \u202egnp.exe <script>alert(1)</script>\u0007');
    expect(fullName).toBe('Eve Second line gnp.exe <script>alert(1)</script>');
    expect(fullName).toMatch(ONE_LINE_PATTERN);
    expect(nameOf('  Zoë   O\u2019Brien\r\n')).toBe('Zoë O\u2019Brien');
    expect(nameOf('\u200b\u0007\n')).toBe('boss@acme-insurance.test');
    expect(nameOf(undefined)).toBe('boss@acme-insurance.test');
    expect(nameOf(`${'x'.repeat(199)} \u0007y`)).toBe('x'.repeat(199));
  });

  it('counts amr mfa, otp or hwk, or an acr the tenant names, as a second factor proven at the provider; nothing else', () => {
    for (const amr of [['pwd', 'otp'], ['mfa'], ['hwk', 'pin']])
      expect({ amr, asserted: secondFactorAsserted({ amr }, SSO) }).toEqual({ amr, asserted: true });
    for (const amr of [['pwd'], ['sms'], ['swk'], 'otp', [['otp']], []])
      expect({ amr, asserted: secondFactorAsserted({ amr }, SSO) }).toEqual({ amr, asserted: false });
    expect(secondFactorAsserted({ acr: 'urn:acme:loa:mfa' }, SSO)).toBe(true);
    expect(secondFactorAsserted({ acr: '1' }, SSO)).toBe(false);
    expect(secondFactorAsserted({ acr: ['urn:acme:loa:mfa'] }, SSO)).toBe(false);
    expect(secondFactorAsserted({ acr: 'urn:acme:loa:mfa' }, { mfaAcrValues: [] })).toBe(false);
  });
});
