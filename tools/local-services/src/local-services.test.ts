import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clickhouseServerConfig,
  isSupportedClickHouse,
  parseClickHouseVersion,
} from './clickhouse-binary.js';
import { ensureClickHousePassword, readClickHousePassword } from './credentials.js';
import { formatEnvFile, parseEnvFile, writeEnvFile } from './env-file.js';
import { kafkaProperties } from './kafka.js';
import { localServices, servicesEnvCredentials, statePaths } from './services.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'th-local-services-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('kafkaProperties', () => {
  it('is a single-node KRaft broker on loopback with data under the data dir', () => {
    const props = kafkaProperties({ dataDir: '/d', port: 19092, controllerPort: 19093 });
    expect(props).toContain('process.roles=broker,controller');
    expect(props).toContain('listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(props).toContain('controller.quorum.voters=1@127.0.0.1:19093');
    expect(props).toContain('log.dirs=/d/logs');
    expect(props).toContain('offsets.topic.replication.factor=1');
    expect(props).toContain('auto.create.topics.enable=false');
  });
});

describe('ClickHouse version check', () => {
  it('accepts 24.8 and newer, refuses Debian 18.16 and unknown output', () => {
    expect(parseClickHouseVersion('ClickHouse server version 24.8.4.13 (official build).')).toEqual([24, 8]);
    expect(isSupportedClickHouse([24, 8])).toBe(true);
    expect(isSupportedClickHouse([25, 1])).toBe(true);
    expect(isSupportedClickHouse([24, 3])).toBe(false);
    expect(
      isSupportedClickHouse(parseClickHouseVersion('ClickHouse server version 18.16.1 revision 54412.')),
    ).toBe(false);
    expect(isSupportedClickHouse(parseClickHouseVersion('garbage'))).toBe(false);
  });
});

describe('env file', () => {
  it('round-trips values and skips comments and blanks', () => {
    const values = { KAFKA_BROKERS: '127.0.0.1:19092', CLICKHOUSE_URL: 'http://127.0.0.1:18123' };
    expect(parseEnvFile(`${formatEnvFile(values, 'header')}\n\n# note\n`)).toEqual(values);
  });

  it('is readable by its owner only, also when it existed before', () => {
    const file = join(tempDir(), 'services.env');
    writeFileSync(file, 'OLD=1\n', { mode: 0o644 });
    writeEnvFile(file, { CLICKHOUSE_PASSWORD: 'p' }, 'h');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('an older services.env without credentials means default without a password', () => {
    expect(servicesEnvCredentials({ CLICKHOUSE_URL: 'http://x' })).toEqual({ user: 'default', password: '' });
    expect(servicesEnvCredentials({ CLICKHOUSE_USER: 'u', CLICKHOUSE_PASSWORD: 'p' })).toEqual({
      user: 'u',
      password: 'p',
    });
  });
});

describe('ClickHouse password', () => {
  it('is generated once per state dir and kept, owner-only', () => {
    const file = join(tempDir(), 'clickhouse.password');
    expect(readClickHousePassword(file)).toBeUndefined();
    const first = ensureClickHousePassword(file);
    expect(first).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(ensureClickHousePassword(file)).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, '\n');
    expect(ensureClickHousePassword(file)).not.toBe(first); // an emptied file gets a new one
  });

  it('is required by the generated server config, which keeps only its SHA-256', () => {
    const config = clickhouseServerConfig({ dataDir: '/d/', port: 18123, user: 'default', password: 'pw' });
    expect(config).toContain(
      '<password_sha256_hex>30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4</password_sha256_hex>',
    );
    expect(config).not.toContain('>pw<');
    expect(config).toContain('<listen_host>127.0.0.1</listen_host>');
    expect(() => clickhouseServerConfig({ dataDir: '/d', port: 1, user: 'default', password: '' })).toThrow();
    expect(() => clickhouseServerConfig({ dataDir: '/d', port: 1, user: 'a<b', password: 'x' })).toThrow();
  });
});

describe('service layout', () => {
  it('takes ports and the state dir from env, with the documented defaults', () => {
    const defaults = localServices({});
    expect(defaults.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(defaults.clickhouse.url).toBe('http://127.0.0.1:18123');
    const custom = localServices({
      TRACEHOUSE_STATE_DIR: '/s',
      TRACEHOUSE_KAFKA_PORT: '1234',
      TRACEHOUSE_CLICKHOUSE_PORT: '2345',
    });
    expect(custom.kafka.brokers).toEqual(['127.0.0.1:1234']);
    expect(custom.clickhouse.url).toBe('http://127.0.0.1:2345');
    expect(statePaths({ TRACEHOUSE_STATE_DIR: '/s' }).envFile).toBe('/s/services.env');
    expect(statePaths({ TRACEHOUSE_STATE_DIR: '/s' }).clickhousePasswordFile).toBe('/s/clickhouse.password');
    expect(() => localServices({ TRACEHOUSE_KAFKA_PORT: '99999' })).toThrow(/not a port/);
  });
});
