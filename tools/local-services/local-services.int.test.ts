import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, isAlive, localServices, readServicesEnv, repoRoot } from '@tracehouse/local-services';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run services:up | status | down (local processes)', () => {
  it('up twice leaves one healthy Kafka and one healthy ClickHouse; down leaves no process behind', async () => {
    const state = await mkdtemp(join(tmpdir(), 'th-state-'));
    const env = {
      ...process.env,
      KAFKA_BROKERS: '',
      CLICKHOUSE_URL: '',
      TRACEHOUSE_STATE_DIR: state,
      TRACEHOUSE_KAFKA_PORT: String(await freePort()),
      TRACEHOUSE_KAFKA_CONTROLLER_PORT: String(await freePort()),
      TRACEHOUSE_CLICKHOUSE_PORT: String(await freePort()),
    };
    const cli = (command: string) =>
      run('npm', ['run', '-s', `services:${command}`], { cwd: repoRoot, env, timeout: 180_000 });
    const services = localServices(env);
    try {
      await cli('up');
      const first = { kafka: services.kafka.pid, clickhouse: services.clickhouse.pid };
      expect(first.kafka).toBeDefined();
      expect(first.clickhouse).toBeDefined();
      expect(readServicesEnv(env)).toMatchObject({
        KAFKA_BROKERS: `127.0.0.1:${env.TRACEHOUSE_KAFKA_PORT}`,
        CLICKHOUSE_URL: `http://127.0.0.1:${env.TRACEHOUSE_CLICKHOUSE_PORT}`,
        TRACEHOUSE_SERVICES_MODE: 'local',
      });

      await cli('up');
      expect({ kafka: services.kafka.pid, clickhouse: services.clickhouse.pid }).toEqual(first);
      const status = await cli('status');
      expect(status.stdout).toMatch(/kafka\s+healthy/);
      expect(status.stdout).toMatch(/clickhouse\s+healthy/);

      await cli('down');
      expect(isAlive(first.kafka!)).toBe(false);
      expect(isAlive(first.clickhouse!)).toBe(false);
      expect(readServicesEnv(env)).toBeUndefined();
      await expect(cli('status')).rejects.toMatchObject({ code: 1 });
    } finally {
      await Promise.all([services.kafka.stop(), services.clickhouse.stop()]);
      await rm(state, { recursive: true, force: true });
    }
  });
});
