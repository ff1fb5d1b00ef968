import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Query parameters, DateTime64, Map and the SQL the migrations use need ClickHouse 24.8 or newer. */
export const MIN_CLICKHOUSE = [24, 8] as const;

/** `ClickHouse server version 24.8.4.13 (official build).` → [24, 8]; undefined when unrecognised. */
export function parseClickHouseVersion(output: string): [number, number] | undefined {
  const match = /version (\d+)\.(\d+)/i.exec(output);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function isSupportedClickHouse(version: [number, number] | undefined): boolean {
  if (!version) return false;
  const [major, minor] = version;
  return major > MIN_CLICKHOUSE[0] || (major === MIN_CLICKHOUSE[0] && minor >= MIN_CLICKHOUSE[1]);
}

function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * A `clickhouse` binary on PATH that is new enough, else undefined (then the chdb stand-in is used).
 * Debian's clickhouse-server 18.16 ships `clickhouse` too; the version check keeps it out.
 */
export async function findClickHouseBinary(): Promise<string | undefined> {
  const binary = onPath('clickhouse');
  if (!binary) return undefined;
  try {
    const { stdout } = await run(binary, ['server', '--version'], { timeout: 10_000 });
    return isSupportedClickHouse(parseClickHouseVersion(stdout)) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A minimal server config: HTTP on loopback only, everything under the data dir, one user whose
 * password is required (stored as its SHA-256, so the config file does not hold it in clear).
 */
export function clickhouseServerConfig(o: {
  dataDir: string;
  port: number;
  user: string;
  password: string;
}): string {
  if (!o.password) throw new Error('clickhouseServerConfig: a password is required');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.user))
    throw new Error(`clickhouseServerConfig: bad user name ${o.user}`);
  const d = o.dataDir.replace(/\/$/, '');
  const sha256 = createHash('sha256').update(o.password).digest('hex');
  return `<clickhouse>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${o.port}</http_port>
  <path>${d}/data/</path>
  <tmp_path>${d}/tmp/</tmp_path>
  <user_files_path>${d}/user_files/</user_files_path>
  <format_schema_path>${d}/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <users>
    <${o.user}>
      <password_sha256_hex>${sha256}</password_sha256_hex>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
      <access_management>1</access_management>
    </${o.user}>
  </users>
  <profiles><default/></profiles>
  <quotas><default/></quotas>
</clickhouse>
`;
}
