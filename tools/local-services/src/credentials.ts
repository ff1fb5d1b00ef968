import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Who the local ClickHouse lets in. One user, as a server's `default`; its password is required. */
export interface ClickHouseCredentials {
  user: string;
  password: string;
}

export const CLICKHOUSE_USER = 'default';

/** 144 random bits, URL-safe so it needs no quoting in an env file, a URL or a shell. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The state dir's ClickHouse password: generated on first use and kept (mode 0600) so the data
 * and every process that reads services.env agree across restarts. A state dir from before
 * passwords existed simply gets one here; `services:up` then restarts a stand-in that ignores it.
 */
export function ensureClickHousePassword(file: string): string {
  const kept = readClickHousePassword(file);
  if (kept) return kept;
  const password = generatePassword();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing empty file keeps its mode otherwise
  return password;
}

/** The kept password, or undefined before the first `services:up`. */
export function readClickHousePassword(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}
