/**
 * The codec session cookie (POST /codec/session) holds a platform admin's access token for the
 * Temporal UI. A browser sends it to the codec routes alone (its Path), but any other client sends
 * it wherever it likes, so the API takes it on encode and decode only; and it is Secure whenever
 * the API's public URL is https, even where a proxy ends TLS and the API itself sees plain HTTP.
 * Real API and PostgreSQL.
 */
import supertest from 'supertest';
import { createApp } from '../../src/api/app';
import { User } from '../../src/models';
import { bearer, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

const jsonPayload = (value: unknown) => ({
  metadata: { encoding: Buffer.from('json/plain').toString('base64') },
  data: Buffer.from(JSON.stringify(value)).toString('base64'),
});

describe('the codec session cookie', () => {
  const stack = testStackOfBlock();
  let admin: User;

  beforeAll(async () => {
    admin = await buildUser({ role: 'platform_admin' });
  });

  /** Signs in through `api` and answers the Set-Cookie header of the codec session. */
  async function signIn(api: { post(url: string): supertest.Test } = stack.api): Promise<string> {
    const res = await api.post('/api/v1/codec/session').set('Authorization', bearer(stack.config, admin)).expect(204);
    const [cookie] = res.headers['set-cookie'] as unknown as string[];
    expect(cookie).toMatch(/^insurflow_codec_session=/);
    return cookie;
  }

  it('is taken by the codec routes alone: a REST route sent only the cookie answers 401 and changes nothing', async () => {
    const sessionCookie = (await signIn()).split(';')[0];
    const decoded = await stack.api
      .post('/api/v1/codec/decode')
      .set('Cookie', sessionCookie)
      .set('X-Namespace', stack.config.temporal.namespace)
      .send({ payloads: [jsonPayload('clear')] })
      .expect(200);
    expect(decoded.body.payloads).toEqual([jsonPayload('clear')]);

    const before = await User.count();
    const elsewhere = [
      stack.api.get('/api/v1/auth/me'),
      stack.api.get('/api/v1/platform/admins'),
      stack.api.get('/api/v1/tenants'),
      stack.api.post('/api/v1/platform/admins').send({ email: 'cookie-made@insurflow.test', fullName: 'Made By A Cookie' }),
    ];
    for (const request of elsewhere) {
      const res = await request.set('Cookie', sessionCookie);
      expect([res.status, res.body.error?.code]).toEqual([401, 'unauthorized']);
    }
    expect(await User.count()).toBe(before);
    // The same admin's token in the Authorization header is a session everywhere, as before.
    await stack.api.get('/api/v1/platform/admins').set('Authorization', bearer(stack.config, admin)).expect(200);
  });

  it('is Secure when the public URL is https, though the API behind a TLS proxy sees plain HTTP; not on a loopback http URL', async () => {
    const config = { ...stack.config, api: { ...stack.config.api, publicUrl: 'https://api.insurflow.example' } };
    const behindProxy = supertest(createApp({ ...stack.services, config }).callback());
    const secure = await signIn(behindProxy);
    expect(secure.split('; ')).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=strict', 'path=/api/v1/codec']));

    expect(stack.config.api.publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const local = await signIn();
    expect(local.split('; ')).not.toContain('secure');
  });
});
