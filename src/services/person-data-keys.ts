/**
 * Each person's data key (`person_data_keys`), which seals the fields of workflow payloads marked
 * as theirs (src/services/person-data-codec.ts), and its destruction, which erases those fields
 * from every copy of every history at once (docs/privacy.md, Personal data in workflow histories).
 *
 * A key is made on its person's first sealed field, wrapped with the active payload key when
 * PAYLOAD_CODEC_KEYS is set (a dump of the database alone then opens nothing), kept as is
 * otherwise. Each process keeps the keys it read for PERSON_DATA_KEY_CACHE_MS: destruction clears
 * this process's copy at once, and another process may go on opening that person's fields for at
 * most that long.
 */
import crypto from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import type { PayloadCodecKeys } from '../config/payload-codec-keys';
import { PersonDataKey } from '../models/person-data-key';
import { openAesGcm, sealAesGcm } from './aes-gcm';
import { PayloadDecryptionError } from './payload-codec';

const DATA_KEY_BYTES = 32;
/** How long a process trusts a key (or its destruction) it read: the bound on another process's late reads. */
export const PERSON_DATA_KEY_CACHE_MS = 10_000;
/** Enough for every person active in a few seconds; the oldest entries make room. */
const MAX_CACHED_KEYS = 10_000;

/** The keys of one person's fields: null once destroyed, or when the person has none and cannot get one. */
export interface PersonKeyring {
  /** The key to seal with, made now if the person has none. */
  sealingKey(userId: string): Promise<Buffer | null>;
  /** The key to open with; never made here. */
  openingKey(userId: string): Promise<Buffer | null>;
}

const cache = new Map<string, { key: Buffer | null; until: number }>();

function cached(userId: string): Buffer | null | undefined {
  const entry = cache.get(userId);
  if (entry && entry.until > Date.now()) return entry.key;
  cache.delete(userId);
  return undefined;
}

function remember(userId: string, key: Buffer | null): Buffer | null {
  if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value!);
  cache.set(userId, { key, until: Date.now() + PERSON_DATA_KEY_CACHE_MS });
  return key;
}

/** The wrapping key's AAD: a wrapped key copied onto another person's row does not open. */
const wrappingAad = (userId: string) => `person-data-key:${userId}`;

function unwrap(master: PayloadCodecKeys | undefined, row: PersonDataKey): Buffer | null {
  if (row.dataKey === null) return null;
  if (row.wrappingKeyId === null) return row.dataKey;
  const wrapping = master?.keys.get(row.wrappingKeyId);
  if (!wrapping)
    throw new PayloadDecryptionError(
      `The data key of person ${row.userId} is wrapped with payload key "${row.wrappingKeyId}", which is not among PAYLOAD_CODEC_KEYS`,
    );
  const key = openAesGcm(wrapping, wrappingAad(row.userId), row.dataKey);
  if (!key) throw new PayloadDecryptionError(`The data key of person ${row.userId} fails authentication: its row was altered`);
  return key;
}

async function storedKey(master: PayloadCodecKeys | undefined, userId: string): Promise<Buffer | null | undefined> {
  const row = await PersonDataKey.findByPk(userId);
  return row ? unwrap(master, row) : undefined;
}

const wrap = (master: PayloadCodecKeys, userId: string, key: Buffer) => ({
  dataKey: sealAesGcm(master.keys.get(master.activeKeyId)!, wrappingAad(userId), key),
  wrappingKeyId: master.activeKeyId,
});

/** Makes the person's key unless they have one; two first uses at once both get the one stored. */
async function createKey(master: PayloadCodecKeys | undefined, userId: string): Promise<void> {
  const fresh = crypto.randomBytes(DATA_KEY_BYTES);
  const { dataKey, wrappingKeyId } = master ? wrap(master, userId, fresh) : { dataKey: fresh, wrappingKeyId: null };
  await PersonDataKey.sequelize!.query(
    `INSERT INTO person_data_keys (user_id, tenant_id, data_key, wrapping_key_id)
     SELECT id, tenant_id, $dataKey, $wrappingKeyId FROM users WHERE id = $userId
     ON CONFLICT (user_id) DO NOTHING`,
    { bind: { userId, dataKey, wrappingKeyId } },
  );
}

/** The keyring of the data converter, reading `person_data_keys` through the initialised models. */
export function personDataKeyring(master: PayloadCodecKeys | undefined): PersonKeyring {
  return {
    async sealingKey(userId) {
      const known = cached(userId);
      if (known !== undefined) return known;
      let key = await storedKey(master, userId);
      if (key === undefined) {
        await createKey(master, userId);
        // Still nothing: no such user. Their field is not kept rather than kept in clear.
        key = (await storedKey(master, userId)) ?? null;
      }
      return remember(userId, key);
    },
    async openingKey(userId) {
      const known = cached(userId);
      if (known !== undefined) return known;
      const key = await storedKey(master, userId);
      // A person without a row (their user deleted) has nothing to open; not remembered, as another
      // process may be making their key right now.
      return key === undefined ? null : remember(userId, key);
    },
  };
}

/**
 * Destroys the person's data key: every field sealed with it, in every history and every export
 * of one, decodes from now on as erased. The row stays, keyless, so nothing is sealed for them
 * again. Idempotent; within `transaction` when given (the key is gone once it commits).
 */
export async function destroyPersonDataKey(userId: string, transaction?: Transaction): Promise<void> {
  await PersonDataKey.sequelize!.query(
    `INSERT INTO person_data_keys (user_id, tenant_id, data_key, wrapping_key_id, destroyed_at)
     SELECT id, tenant_id, NULL, NULL, now() FROM users WHERE id = $userId
     ON CONFLICT (user_id) DO UPDATE
       SET data_key = NULL, wrapping_key_id = NULL, destroyed_at = COALESCE(person_data_keys.destroyed_at, EXCLUDED.destroyed_at)`,
    { bind: { userId }, transaction },
  );
  cache.delete(userId);
  // A read between this statement and the commit may have cached the key again.
  transaction?.afterCommit(() => void cache.delete(userId));
}

/** Whether the person's key was destroyed: a field marked as theirs would be kept by no one from now on. */
export async function personDataKeyDestroyed(userId: string): Promise<boolean> {
  const row = await PersonDataKey.findByPk(userId, { attributes: ['destroyedAt'] });
  return Boolean(row?.destroyedAt);
}

const REWRAP_BATCH = 500;

/**
 * Wraps with the active payload key every live key wrapped with another one, or stored unwrapped
 * (PAYLOAD_CODEC_KEYS set after keys were made): the worker does it as it starts, so a rotated-out
 * payload key can be dropped once no row names it. A key whose payload key is not listed is left
 * as it is (counted apart); a key destroyed meanwhile stays destroyed.
 */
export async function rewrapPersonDataKeys(master: PayloadCodecKeys): Promise<{ rewrapped: number; unreadable: number }> {
  const counts = { rewrapped: 0, unreadable: 0 };
  let after: string | undefined;
  for (;;) {
    const rows = await PersonDataKey.findAll({
      where: {
        dataKey: { [Op.ne]: null },
        [Op.or]: [{ wrappingKeyId: null }, { wrappingKeyId: { [Op.ne]: master.activeKeyId } }],
        ...(after && { userId: { [Op.gt]: after } }),
      },
      order: [['userId', 'ASC']],
      limit: REWRAP_BATCH,
    });
    if (!rows.length) return counts;
    for (const row of rows) {
      let key: Buffer | null;
      try {
        key = unwrap(master, row);
      } catch {
        key = null;
      }
      if (!key) {
        counts.unreadable++;
        continue;
      }
      // Only the row as read: a destruction or another worker's rewrap since wins.
      const [changed] = await PersonDataKey.update(wrap(master, row.userId, key), {
        where: { userId: row.userId, wrappingKeyId: row.wrappingKeyId, destroyedAt: null },
      });
      counts.rewrapped += changed;
    }
    after = rows[rows.length - 1].userId;
  }
}
