/** The payload encryption keys as configuration holds them; the codec itself is src/services/payload-codec.ts. */

/** AES-256 keys: 32 bytes. */
export const KEY_BYTES = 32;

/** The keys a process may decrypt with, by id, and the one it encrypts with. Rotation adds a key and makes it active. */
export interface PayloadCodecKeys {
  keys: ReadonlyMap<string, Buffer>;
  activeKeyId: string;
}
