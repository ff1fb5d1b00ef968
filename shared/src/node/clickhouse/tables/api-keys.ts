import { createHash, randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { AppError, ErrorCodes } from '../../../errors.js';
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

/** The project a key belongs to; undefined for an unknown or revoked key, or a deleted project. */
export async function findProjectIdByKeyHash(
  client: ClickHouseClient,
  keyHash: string,
): Promise<string | undefined> {
  try {
    const rs = await client.query({
      // A key of a deleted (or never created) project authenticates nobody.
      query: `SELECT project_id FROM api_keys FINAL
              WHERE key_hash = {hash:FixedString(64)} AND revoked_at IS NULL
                AND project_id IN (SELECT id FROM projects FINAL WHERE deleted = 0)
              LIMIT 1`,
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

/** A key as listings show it: never the secret, only its prefix and the start of its hash. */
export interface ApiKeyListing {
  /** The first 12 hex characters of the key's hash: enough to name it, nothing to authenticate with. */
  id: string;
  prefix: string;
  project_id: string;
  project: string;
  name: string;
  created_at: string;
  revoked_at: string | null;
}

const listingColumns = `substring(k.key_hash, 1, 12) AS id, k.key_prefix AS prefix,
  toString(k.project_id) AS project_id, p.name AS project, k.name AS name,
  toString(k.created_at) AS created_at, if(isNull(k.revoked_at), NULL, toString(k.revoked_at)) AS revoked_at`;

/** Every key, oldest first, optionally of one project (by name). */
export async function listApiKeys(
  client: ClickHouseClient,
  options: { projectName?: string } = {},
): Promise<ApiKeyListing[]> {
  try {
    const rs = await client.query({
      query: `SELECT ${listingColumns}
              FROM (SELECT * FROM api_keys FINAL) AS k
              LEFT JOIN (SELECT id, name FROM projects FINAL WHERE deleted = 0) AS p ON p.id = k.project_id
              WHERE {project:Nullable(String)} IS NULL OR p.name = {project:Nullable(String)}
              ORDER BY k.created_at, k.key_hash`,
      query_params: { project: options.projectName ?? null },
      format: 'JSONEachRow',
    });
    return await rs.json<ApiKeyListing>();
  } catch (err) {
    throw toClickHouseAppError(err, 'listing API keys');
  }
}

/**
 * Revokes the one key whose prefix (`th_AbCdEf`) or id (a start of its hash, 8+ hex characters) is
 * given: a newer row with `revoked_at` set replaces it. Refuses a selector matching no key or several.
 */
export async function revokeApiKey(client: ClickHouseClient, selector: string): Promise<ApiKeyListing> {
  const byHash = /^[0-9a-f]{8,64}$/.test(selector);
  if (!byHash && !selector.startsWith(KEY_PREFIX)) {
    throw new AppError(
      ErrorCodes.VALIDATION,
      `key: "${selector}" is neither a key prefix (th_…) nor an id (8+ hex)`,
    );
  }
  let rows: (ApiKeyListing & { key_hash: string; version: string })[];
  try {
    const rs = await client.query({
      query: `SELECT key_hash, toString(version) AS version, ${listingColumns}
              FROM (SELECT * FROM api_keys FINAL) AS k
              LEFT JOIN (SELECT id, name FROM projects FINAL) AS p ON p.id = k.project_id
              WHERE ${byHash ? 'startsWith(k.key_hash, {s:String})' : 'k.key_prefix = {s:String}'}`,
      query_params: { s: selector },
      format: 'JSONEachRow',
    });
    rows = await rs.json();
  } catch (err) {
    throw toClickHouseAppError(err, 'finding an API key');
  }
  if (rows.length !== 1) {
    throw new AppError(
      rows.length === 0 ? ErrorCodes.NOT_FOUND : ErrorCodes.VALIDATION,
      rows.length === 0
        ? `key: no key matches "${selector}"`
        : `key: ${rows.length} keys match "${selector}"; give its id`,
    );
  }
  const [row] = rows as [(typeof rows)[number]];
  if (row.revoked_at !== null) return row;
  const revokedAt = new Date().toISOString();
  try {
    await client.insert({
      table: 'api_keys',
      values: [
        {
          key_hash: row.key_hash,
          key_prefix: row.prefix,
          project_id: row.project_id,
          name: row.name,
          created_at: row.created_at,
          revoked_at: `${revokedAt.slice(0, 10)} ${revokedAt.slice(11, 23)}`,
          // Strictly newer than the row it replaces, whatever the clocks did.
          version: Math.max(Date.now(), Number(row.version) + 1),
        },
      ],
      format: 'JSONEachRow',
    });
  } catch (err) {
    throw toClickHouseAppError(err, 'revoking an API key');
  }
  const { key_hash: _hash, version: _version, ...listing } = row;
  return { ...listing, revoked_at: revokedAt };
}
