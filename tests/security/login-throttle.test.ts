/**
 * Targeted lockout, on the real API, PostgreSQL store and SMTP sink: wrong passwords delay the
 * client that sends them (at that account, and across accounts), with a delay that doubles, but
 * never lock the account itself: its owner signs in from elsewhere meanwhile, and is told once.
 */
import { buildTenant, buildUser, TEST_PASSWORD } from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';

const FAILED_SIGN_INS_SUBJECT = 'Several failed sign-ins to your Insurflow account';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('login throttle: per (account, source) and per source, growing delay, no account lock', () => {
  let stack: TestStack;
  let tenantId: string;

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        // The tests name their client address in X-Forwarded-For, as a proxy would.
        TRUST_PROXY_HOPS: '1',
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_SOURCE: '5',
        RATE_LIMIT_LOGIN_FAILURES_PER_SOURCE: '10',
        RATE_LIMIT_LOGIN_FIRST_DELAY_SECONDS: '1',
      },
    });
    tenantId = (await buildTenant()).id;
  });
  afterAll(() => stack?.close());

  const login = (from: string, email: string, password: string) =>
    stack.api.post('/api/v1/auth/login').set('X-Forwarded-For', from).send({ email, password });
  const retryAfter = (res: { headers: Record<string, string> }) => Number(res.headers['retry-after']);

  it("20 wrong passwords from one address do not stop the owner signing in from another; the attacker's delay doubles; the owner gets one mail", async () => {
    const owner = await buildUser({ tenantId, role: 'adjuster', email: 'owner@example.test' });
    const answers: Array<{ status: number; retryAfter?: number }> = [];
    for (let i = 0; i < 20; i++) {
      const res = await login('198.51.100.66', owner.email, `Guess-number-${i}`);
      answers.push(res.status === 429 ? { status: 429, retryAfter: retryAfter(res) } : { status: res.status });
    }
    // Five free failures, then 429s whose delay doubles at each attempt made before it is over
    // (1 s after the fifth failure, 2 s after the sixth...), up to the 900 s window.
    const delays = [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900, 900];
    expect(answers).toEqual([...Array(5).fill({ status: 401 }), ...delays.map((retryAfter) => ({ status: 429, retryAfter }))]);

    // The owner, elsewhere, is not delayed; the right password from the attacker's address is.
    await login('203.0.113.5', owner.email, TEST_PASSWORD).expect(200);
    const refused = await login('198.51.100.66', owner.email, TEST_PASSWORD).expect(429);
    expect(refused.body.error.code).toBe('rate_limited');

    // One warning for the whole attack, not one per attempt.
    await stack.smtp.waitFor((m) => m.to.includes(owner.email) && m.subject === FAILED_SIGN_INS_SUBJECT);
    await sleep(1000);
    expect(stack.smtp.messages.filter((m) => m.to.includes(owner.email)).map((m) => m.subject)).toEqual([FAILED_SIGN_INS_SUBJECT]);
  });

  it('answers an unknown account exactly as a known one, and mails nobody', async () => {
    const known = await buildUser({ tenantId, role: 'adjuster' });
    const answers = async (email: string, from: string) => {
      const seen: Array<{ status: number; code: string }> = [];
      for (let i = 0; i < 7; i++) {
        const res = await login(from, email, 'Guess-number-1');
        seen.push({ status: res.status, code: res.body.error.code });
      }
      return seen;
    };
    expect(await answers('nobody@example.test', '198.51.100.70')).toEqual(await answers(known.email, '198.51.100.71'));
    expect(stack.smtp.messages.filter((m) => m.to.includes('nobody@example.test'))).toEqual([]);
  });

  it('delays one address guessing across many accounts, and only that address', async () => {
    const victims = await Promise.all(Array.from({ length: 11 }, () => buildUser({ tenantId, role: 'policyholder' })));
    // One wrong password at each of 10 accounts: the source's free failures, at no account's limit.
    for (const victim of victims.slice(0, 10)) await login('192.0.2.44', victim.email, 'Spray-pass-1').expect(401);
    const sprayed = await login('192.0.2.44', victims[10].email, TEST_PASSWORD).expect(429);
    expect(retryAfter(sprayed)).toBe(2);
    await login('192.0.2.45', victims[10].email, TEST_PASSWORD).expect(200);
    await login('192.0.2.46', victims[0].email, TEST_PASSWORD).expect(200);
  });

  it('forgets the failures of a client at an account once it signs in, and stores no e-mail', async () => {
    const forgetful = await buildUser({ tenantId, role: 'adjuster' });
    for (let i = 0; i < 4; i++) await login('198.51.100.90', forgetful.email, 'Typo-pass-1').expect(401);
    await login('198.51.100.90', forgetful.email, TEST_PASSWORD).expect(200);
    for (let i = 0; i < 4; i++) await login('198.51.100.90', forgetful.email, 'Typo-pass-1').expect(401);
    await login('198.51.100.90', forgetful.email, TEST_PASSWORD).expect(200);

    const [rows] = await stack.db.sequelize.query(`SELECT key FROM rate_limits WHERE key LIKE 'login-%'`);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(rows)).not.toContain('@');
  });
});
