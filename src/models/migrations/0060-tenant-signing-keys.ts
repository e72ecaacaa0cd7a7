/**
 * `tenant_signing_keys`: each tenant's Ed25519 key pair that signs its evidence packages
 * (docs/compliance.md, Evidence package for auditors). One row per tenant, created on first use.
 * The public key is stored as PEM (SPKI) and published; the private key only sealed
 * (src/services/sealed-secret.ts: AES-256-GCM under a key derived from JWT_SECRET, bound to the
 * tenant), so a dump of the database alone cannot sign a package.
 */
import { DataTypes } from 'sequelize';
import { references, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('tenant_signing_keys', {
    tenant_id: { type: DataTypes.UUID, primaryKey: true, allowNull: false, ...references('tenants', 'CASCADE') },
    algorithm: { type: DataTypes.STRING(20), allowNull: false },
    public_key_pem: { type: DataTypes.TEXT, allowNull: false },
    private_key_sealed: { type: DataTypes.TEXT, allowNull: false },
    /** SHA-256 (hex) of the public key's DER (SPKI): what an auditor pins. */
    fingerprint: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false, defaultValue: qi.sequelize.fn('now') },
  });
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('tenant_signing_keys');
};
