/**
 * Follows one PostgreSQL notification channel (`LISTEN`) on a connection of its own, outside the
 * pools: a pooled connection is handed to other statements between uses, and a listening one must
 * stay put. The connection is opened again a second after it is lost, however it was lost.
 *
 * Every few seconds the follower sends a heartbeat notice on the channel and waits for it to come
 * back. `following` turns true only when one has, and false the moment one does not within a few
 * seconds: so a connection that no longer answers (a stalled server, a peer gone without a word)
 * counts as lost within seconds, not when TCP gives up on it, and a connection that can never hear
 * a notice (a transaction-mode pool in front of PostgreSQL) never counts as following.
 *
 * Whoever keeps what the notices invalidate must not trust it while `following` is false, and
 * must forget it when it turns true again (notices sent meanwhile are gone). Heartbeats, every
 * follower's, are not passed on.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Logger } from '../config/logger';

const RECONNECT_AFTER_MS = 1000;
/** A connection attempt, the LISTEN or a heartbeat's return that takes longer counts as lost. */
const ANSWER_WITHIN_MS = 3000;
const HEARTBEAT_EVERY_MS = 5000;
/** Payloads of this prefix are heartbeats; the channel's own payloads must never begin so. */
export const HEARTBEAT_PREFIX = 'heartbeat ';

export interface NoticeFollower {
  stop(): Promise<void>;
}

export function followNotices(options: {
  databaseUrl: string;
  channel: string;
  logger: Logger;
  /** Shown in pg_stat_activity, so that an operator can tell the connection apart. */
  applicationName: string;
  onNotice: (payload: string) => void;
  onFollowing: (following: boolean) => void;
}): NoticeFollower {
  const { databaseUrl, channel, logger, applicationName, onNotice, onFollowing } = options;
  let current: Client | undefined;
  let following = false;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let heartbeats: NodeJS.Timeout | undefined;
  /** The heartbeat sent and not yet back, with the timer that gives up on it. */
  let awaited: { payload: string; timer: NodeJS.Timeout } | undefined;

  const setFollowing = (now: boolean) => {
    if (now === following) return;
    following = now;
    onFollowing(now);
  };

  function quiet(): void {
    clearInterval(heartbeats);
    clearTimeout(awaited?.timer);
    awaited = undefined;
  }

  function lost(client: Client, err?: Error): void {
    client.end().catch(() => undefined);
    if (client !== current) return;
    current = undefined;
    quiet();
    if (stopped) return;
    // Once per loss, not once per attempt: a PostgreSQL that is down for a minute is one line.
    if (following) logger.warn({ err, channel }, 'Lost the notice connection to PostgreSQL: not following until one answers again');
    setFollowing(false);
    retry = setTimeout(() => void connect(), RECONNECT_AFTER_MS);
  }

  function beat(client: Client): void {
    const payload = `${HEARTBEAT_PREFIX}${randomUUID()}`;
    const timer = setTimeout(() => lost(client, new Error('its heartbeat notice did not come back in time')), ANSWER_WITHIN_MS);
    awaited = { payload, timer };
    client.query('SELECT pg_notify($1, $2)', [channel, payload]).catch((err: Error) => lost(client, err));
  }

  function heard(client: Client, payload: string): void {
    if (!payload.startsWith(HEARTBEAT_PREFIX)) {
      onNotice(payload);
      return;
    }
    if (client !== current || awaited?.payload !== payload) return;
    clearTimeout(awaited.timer);
    awaited = undefined;
    if (!following) logger.info({ channel }, 'Following the notices');
    setFollowing(true);
  }

  async function connect(): Promise<void> {
    const client = new Client({
      connectionString: databaseUrl,
      application_name: applicationName,
      keepAlive: true,
      connectionTimeoutMillis: ANSWER_WITHIN_MS,
      query_timeout: ANSWER_WITHIN_MS,
    });
    current = client;
    client.on('notification', (notice) => heard(client, notice.payload ?? ''));
    client.on('error', (err) => lost(client, err));
    client.on('end', () => lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      // Stopped while it connected: this connection is no longer wanted.
      if (client !== current) return await client.end();
      beat(client);
      heartbeats = setInterval(() => beat(client), HEARTBEAT_EVERY_MS);
    } catch (err) {
      lost(client, err as Error);
    }
  }

  void connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      quiet();
      const client = current;
      current = undefined;
      setFollowing(false);
      // A stalled server never closes its side: the stop waits for it only so long.
      let waited: NodeJS.Timeout | undefined;
      const enough = new Promise((resolve) => (waited = setTimeout(resolve, ANSWER_WITHIN_MS)));
      await Promise.race([client?.end().catch(() => undefined), enough]);
      clearTimeout(waited);
    },
  };
}
