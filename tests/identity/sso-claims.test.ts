/**
 * What company sign-in takes from a verified ID token's claims (src/domain/identity/sso.ts), for the
 * claim shapes Keycloak does not send: `email_verified` absent (Entra ID's ID tokens) or the
 * string "false"/"true" (some providers) is no verified address; which `amr` and `acr` values
 * count as a second factor proven at the provider.
 */
import { identityFrom, secondFactorAsserted, SsoRefused } from '../../src/domain/identity/sso';

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
