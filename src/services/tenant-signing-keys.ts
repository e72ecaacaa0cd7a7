/**
 * Each tenant's Ed25519 key pair, which signs its evidence packages (docs/compliance.md, Evidence
 * package for auditors). Created on first use; the public key is published for auditors to pin,
 * the private key is kept sealed (src/services/sealed-secret.ts) and bound to its tenant, so a
 * database dump alone signs nothing and a row copied onto another tenant does not open.
 */
import crypto from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Config } from '../config';
import { openSecret, sealSecret } from './sealed-secret';

const SIGNING_KEY_PURPOSE = 'tenant-signing-key v1';
export const SIGNING_ALGORITHM = 'Ed25519';

export interface TenantSigningKey {
  tenantId: string;
  algorithm: typeof SIGNING_ALGORITHM;
  publicKeyPem: string;
  /** SHA-256 (hex) of the public key's DER (SPKI), as `openssl pkey -pubin -outform DER | sha256sum` prints it. */
  fingerprint: string;
  createdAt: Date;
}

interface StoredKey extends TenantSigningKey {
  privateKeySealed: string;
}

export const publicKeyFingerprint = (publicKeyPem: string): string =>
  crypto
    .createHash('sha256')
    .update(crypto.createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }))
    .digest('hex');

async function readKey(sequelize: Sequelize, tenantId: string): Promise<StoredKey | undefined> {
  const [row] = await sequelize.query<StoredKey>(
    `SELECT tenant_id AS "tenantId", algorithm, public_key_pem AS "publicKeyPem", private_key_sealed AS "privateKeySealed",
            fingerprint, created_at AS "createdAt"
       FROM tenant_signing_keys WHERE tenant_id = :tenantId`,
    { replacements: { tenantId }, type: QueryTypes.SELECT },
  );
  return row;
}

/** The tenant's key, made now if it has none; two first uses at once both get the one stored. */
async function storedKey(sequelize: Sequelize, sealing: Config['jwt'], tenantId: string): Promise<StoredKey> {
  const existing = await readKey(sequelize, tenantId);
  if (existing) return existing;
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await sequelize.query(
    `INSERT INTO tenant_signing_keys (tenant_id, algorithm, public_key_pem, private_key_sealed, fingerprint)
     VALUES (:tenantId, :algorithm, :publicKeyPem, :sealed, :fingerprint) ON CONFLICT (tenant_id) DO NOTHING`,
    {
      replacements: {
        tenantId,
        algorithm: SIGNING_ALGORITHM,
        publicKeyPem,
        sealed: sealSecret(sealing, SIGNING_KEY_PURPOSE, tenantId, privateKeyPem),
        fingerprint: publicKeyFingerprint(publicKeyPem),
      },
    },
  );
  return (await readKey(sequelize, tenantId))!;
}

/** The tenant's public key, as published to auditors. */
export async function tenantSigningKey(sequelize: Sequelize, sealing: Config['jwt'], tenantId: string): Promise<TenantSigningKey> {
  const { privateKeySealed: _sealed, ...key } = await storedKey(sequelize, sealing, tenantId);
  return key;
}

/** The tenant's public key and a signer (Ed25519 signs the bytes themselves: no digest is named). */
export async function tenantSigner(
  sequelize: Sequelize,
  sealing: Config['jwt'],
  tenantId: string,
): Promise<{ key: TenantSigningKey; sign: (data: Buffer) => Buffer }> {
  const { privateKeySealed, ...key } = await storedKey(sequelize, sealing, tenantId);
  const privateKeyPem = openSecret(sealing, SIGNING_KEY_PURPOSE, tenantId, privateKeySealed);
  // Only a changed JWT_SECRET (or an altered row) gets here: signing with another key would break every pinned key.
  if (privateKeyPem === null) throw new Error(`the signing key of tenant ${tenantId} cannot be unsealed with this JWT_SECRET`);
  const privateKey = crypto.createPrivateKey(privateKeyPem);
  return { key, sign: (data) => crypto.sign(null, data, privateKey) };
}
