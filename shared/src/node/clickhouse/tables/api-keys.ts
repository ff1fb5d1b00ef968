import { createHash, randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { toClickHouseAppError } from '../errors.js';

const KEY_PREFIX = 'th_';

/** SHA-256 of the secret: the secret is 256 random bits, so a slow KDF would add nothing. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new secret; only its hash is stored, so it is shown to the user once. */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export async function createApiKey(
  client: ClickHouseClient,
  projectId: string,
  name = 'default',
): Promise<{ key: string; prefix: string }> {
  const key = generateApiKey();
  const prefix = key.slice(0, KEY_PREFIX.length + 6);
  try {
    await client.insert({
      table: 'api_keys',
      values: [
        { key_hash: hashApiKey(key), key_prefix: prefix, project_id: projectId, name, version: Date.now() },
      ],
      format: 'JSONEachRow',
    });
  } catch (err) {
    throw toClickHouseAppError(err, 'creating an API key');
  }
  return { key, prefix };
}

/** The project a key belongs to; undefined for an unknown or revoked key. */
export async function findProjectIdByKeyHash(
  client: ClickHouseClient,
  keyHash: string,
): Promise<string | undefined> {
  try {
    const rs = await client.query({
      query: `SELECT project_id FROM api_keys FINAL
              WHERE key_hash = {hash:FixedString(64)} AND revoked_at IS NULL LIMIT 1`,
      query_params: { hash: keyHash },
      format: 'JSONEachRow',
    });
    return (await rs.json<{ project_id: string }>())[0]?.project_id;
  } catch (err) {
    throw toClickHouseAppError(err, 'checking an API key');
  }
}

export async function countApiKeys(client: ClickHouseClient): Promise<number> {
  try {
    const rs = await client.query({
      query: 'SELECT count() AS n FROM api_keys FINAL',
      format: 'JSONEachRow',
    });
    return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
  } catch (err) {
    throw toClickHouseAppError(err, 'counting API keys');
  }
}
