import { describe, expect, it } from 'vitest';
import { isSupportedClickHouse, parseClickHouseVersion } from './clickhouse-binary.js';
import { formatEnvFile, parseEnvFile } from './env-file.js';
import { kafkaProperties } from './kafka.js';
import { localServices, statePaths } from './services.js';

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
    expect(() => localServices({ TRACEHOUSE_KAFKA_PORT: '99999' })).toThrow(/not a port/);
  });
});
