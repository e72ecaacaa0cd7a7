/**
 * The notice follower (src/models/change-notices.ts) against a real PostgreSQL behind a proxy that
 * can be paused (what a SIGSTOPped server looks like to its clients): it follows only while its own
 * heartbeat comes back, stops following within seconds of the server going silent, passes on the
 * channel's notices but not the heartbeats, follows again once the server answers, and stops
 * without waiting on a server that does not answer.
 */
import { Client } from 'pg';
import { createLogger } from '../../src/config/logger';
import { followNotices, HEARTBEAT_PREFIX, type NoticeFollower } from '../../src/models/change-notices';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startPausableProxy, type PausableProxy } from '../support/pausable-proxy';
import { waitUntil } from '../support/waiting';

const CHANNEL = 'follower_test';
/** The heartbeat's period (5 s) and its wait (3 s), with room for a busy machine. */
const SILENCE_NOTICED_WITHIN_MS = 12_000;

describe('notice follower', () => {
  let db: TestDatabase;
  let proxy: PausableProxy;
  let follower: NoticeFollower;
  const changes: boolean[] = [];
  const notices: string[] = [];
  const following = () => changes.at(-1) === true;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = await startPausableProxy({ host: target.hostname, port: Number(target.port) });
    const proxied = new URL(db.url);
    proxied.port = String(proxy.port);
    follower = followNotices({
      databaseUrl: proxied.toString(),
      channel: CHANNEL,
      logger: createLogger('silent', 'test'),
      applicationName: 'notice follower test',
      onNotice: (payload) => notices.push(payload),
      onFollowing: (now) => changes.push(now),
    });
  });
  afterAll(async () => {
    proxy?.resume();
    await follower?.stop();
    await proxy?.close();
    await db?.close();
  });

  async function notify(payload: string): Promise<void> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
    } finally {
      await client.end();
    }
  }

  it('follows once its heartbeat came back, and passes on notices but not heartbeats', async () => {
    await waitUntil(following, 'the first heartbeat comes back');
    await notify('tenant-a');
    await waitUntil(() => notices.includes('tenant-a'), 'the notice is passed on');
    expect(notices.filter((payload) => payload.startsWith(HEARTBEAT_PREFIX))).toEqual([]);
  });

  it('stops following within seconds of PostgreSQL going silent, and follows again once it answers', async () => {
    await waitUntil(following, 'following');
    proxy.pause();
    const paused = Date.now();
    await waitUntil(() => !following(), 'the silence is noticed', SILENCE_NOTICED_WITHIN_MS);
    expect(Date.now() - paused).toBeLessThan(SILENCE_NOTICED_WITHIN_MS);

    proxy.resume();
    await waitUntil(following, 'following again', SILENCE_NOTICED_WITHIN_MS);
    expect(changes.slice(-3)).toEqual([true, false, true]);
    await notify('tenant-b');
    await waitUntil(() => notices.includes('tenant-b'), 'a notice after the silence is passed on');
  });

  it('stops within seconds while PostgreSQL is silent', async () => {
    await waitUntil(following, 'following');
    proxy.pause();
    const stopping = Date.now();
    await follower.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(following()).toBe(false);
  });
});
