/**
 * The settings that choose where people's credentials and the tenant's events go ask for proof the
 * admin is there (docs/security.md, Proof of presence), over the real API: `actionUrls` (where every
 * password-reset, invitation and set-password link points, token and all) and the compliance webhook
 * (which becomes a webhook endpoint at once) from a refreshed session alone are 403
 * reauthentication_required with nothing stored; with the password, or a fresh sign-in, they are
 * stored; other settings, and the links sent again unchanged, need no proof.
 */
import { TenantSettings, WebhookEndpoint, type User } from '../../src/models';
import { buildTenant, buildUser, signedInBearer, TEST_PASSWORD } from '../support/factories';
import { refreshedSession } from '../support/sessions';
import { testStackOfBlock } from '../support/stack';

const THIEF_RESET = 'https://thief.example/steal#{token}';
const OURS_RESET = 'https://app.insurer.example/reset?token={token}';

describe('a settings write that redirects links or events asks for the admin’s presence', () => {
  const stack = testStackOfBlock();
  let admin: User;

  beforeAll(async () => {
    const tenant = await buildTenant();
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  });

  const put = (auth: { Authorization: string }, body: object) => stack.api.put('/api/v1/tenant/settings').set(auth).send(body);
  const stored = async () => (await TenantSettings.findByPk(admin.tenantId!))?.values ?? {};

  it('refuses actionUrls from a session alone (403) and a wrong password (400), storing nothing; the password or a fresh sign-in sets them', async () => {
    const stolen = await refreshedSession(stack, admin);
    const bare = await put(stolen, { actionUrls: { resetPassword: THIEF_RESET }, claimDocumentsReminderDays: 3 }).expect(403);
    expect(bare.body.error.code).toBe('reauthentication_required');
    const wrong = await put(stolen, { actionUrls: { resetPassword: THIEF_RESET }, currentPassword: 'Not-The-Password-1' }).expect(400);
    expect(wrong.body.error.code).toBe('wrong_current_password');
    expect(await stored()).not.toHaveProperty('actionUrls');
    expect(await stored()).not.toHaveProperty('claimDocumentsReminderDays');

    const proven = await put(stolen, { actionUrls: { resetPassword: OURS_RESET }, currentPassword: TEST_PASSWORD }).expect(200);
    expect(proven.body.actionUrls).toEqual({ resetPassword: OURS_RESET });
    const fresh = { Authorization: signedInBearer(stack.config, admin) };
    await put(fresh, { actionUrls: { resetPassword: OURS_RESET, verifyEmail: OURS_RESET } }).expect(200);
    expect((await stored()).actionUrls).toEqual({ resetPassword: OURS_RESET, verifyEmail: OURS_RESET });

    // Pointing a link at nothing new needs no proof: the whole form sent again, a link taken back.
    await put(stolen, { actionUrls: { resetPassword: OURS_RESET, verifyEmail: OURS_RESET }, claimDocumentsReminderDays: 4 }).expect(200);
    await put(stolen, { actionUrls: { resetPassword: OURS_RESET } }).expect(200);
    // Moved to another page, it is a new destination again.
    expect((await put(stolen, { actionUrls: { resetPassword: THIEF_RESET } }).expect(403)).body.error.code).toBe(
      'reauthentication_required',
    );
    expect((await stored()).actionUrls).toEqual({ resetPassword: OURS_RESET });
    expect((await stored()).claimDocumentsReminderDays).toBe(4);
  });

  it('refuses the compliance webhook from a session alone (403): no endpoint made; with the password it becomes one', async () => {
    const stolen = await refreshedSession(stack, admin);
    const body = { complianceWebhookUrl: 'http://127.0.0.1:9/legacy-steal', complianceWebhookSecret: '0123456789abcdef0123456789abcdef' };
    expect((await put(stolen, body).expect(403)).body.error.code).toBe('reauthentication_required');
    // Nor in two steps: the URL first, the secret later.
    expect((await put(stolen, { complianceWebhookUrl: body.complianceWebhookUrl }).expect(403)).body.error.code).toBe(
      'reauthentication_required',
    );
    expect((await put(stolen, { complianceWebhookSecret: body.complianceWebhookSecret }).expect(403)).body.error.code).toBe(
      'reauthentication_required',
    );
    expect(await WebhookEndpoint.count({ where: { tenantId: admin.tenantId! } })).toBe(0);
    expect((await TenantSettings.findByPk(admin.tenantId!))?.complianceWebhookSecret ?? null).toBeNull();

    // Clearing it points nothing anywhere; other settings need no proof.
    await put(stolen, { complianceWebhookUrl: null, policyReviewReminderDays: 5 }).expect(200);
    await put(stolen, { ...body, currentPassword: TEST_PASSWORD }).expect(200);
    expect(await WebhookEndpoint.count({ where: { tenantId: admin.tenantId!, url: body.complianceWebhookUrl } })).toBe(1);
  });
});
