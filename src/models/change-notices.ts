/**
 * Follows one PostgreSQL notification channel (`LISTEN`) on a connection of its own, outside the
 * pools: a pooled connection is handed to other statements between uses, and a listening one must
 * stay put. The connection is opened again a second after it is lost, however it was lost; it is
 * asked a `SELECT 1` every few seconds, so that one that no longer answers (a stalled server, a
 * peer gone without a word) counts as lost within seconds rather than when TCP gives up on it.
 *
 * `following` says whether notices are arriving: false from the moment the connection is lost
 * until `LISTEN` has been answered on a new one. Whoever keeps what the notices invalidate must
 * stop trusting it while false, and forget it when it turns true again (notices sent meanwhile
 * are gone).
 */
import { Client } from 'pg';
import type { Logger } from '../config/logger';

const RECONNECT_AFTER_MS = 1000;
/** A connection attempt, the LISTEN or a heartbeat that does not answer in this long counts as lost. */
const ANSWER_WITHIN_MS = 3000;
const HEARTBEAT_EVERY_MS = 5000;

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
  let heartbeat: NodeJS.Timeout | undefined;

  const setFollowing = (now: boolean) => {
    if (now === following) return;
    following = now;
    onFollowing(now);
  };

  function lost(client: Client, err?: Error): void {
    client.end().catch(() => undefined);
    if (client !== current) return;
    current = undefined;
    clearInterval(heartbeat);
    setFollowing(false);
    if (stopped) return;
    logger.warn({ err, channel }, 'Lost the notice connection to PostgreSQL: opening another in a second');
    retry = setTimeout(() => void connect(), RECONNECT_AFTER_MS);
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
    client.on('notification', (notice) => onNotice(notice.payload ?? ''));
    client.on('error', (err) => lost(client, err));
    client.on('end', () => lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      // Stopped while it connected: this connection is no longer wanted.
      if (client !== current) return await client.end();
      heartbeat = setInterval(() => void client.query('SELECT 1').catch((err: Error) => lost(client, err)), HEARTBEAT_EVERY_MS);
      setFollowing(true);
    } catch (err) {
      lost(client, err as Error);
    }
  }

  void connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const client = current;
      current = undefined;
      setFollowing(false);
      await client?.end().catch(() => undefined);
    },
  };
}
