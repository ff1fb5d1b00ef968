import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  clickhouseRoundTrip,
  ensureChdbPython,
  freePort,
  isAlive,
  localServices,
  readServicesEnv,
  repoRoot,
  spawnDetached,
  statePaths,
} from '@tracehouse/local-services';
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
        CLICKHOUSE_USER: 'default',
        CLICKHOUSE_PASSWORD: expect.stringMatching(/^[\w-]{24}$/),
        TRACEHOUSE_SERVICES_MODE: 'local',
      });
      const password = readServicesEnv(env)!.CLICKHOUSE_PASSWORD!;
      const url = services.clickhouse.url;
      await clickhouseRoundTrip(url, { user: 'default', password });
      await expect(clickhouseRoundTrip(url, { user: 'default', password: '' })).rejects.toMatchObject({
        code: '516',
      });

      await cli('up');
      expect({ kafka: services.kafka.pid, clickhouse: services.clickhouse.pid }).toEqual(first);
      const status = await cli('status');
      expect(status.stdout).toMatch(/kafka\s+healthy/);
      expect(status.stdout).toMatch(/clickhouse\s+healthy/);

      // An engine that does not require this state dir's password (started before passwords existed,
      // or by hand) is restarted by `up` with it, on the same data.
      await services.clickhouse.stop();
      spawnDetached({
        command: await ensureChdbPython(),
        args: [
          join(repoRoot, 'tools', 'clickhouse-http', 'server.py'),
          '--port',
          env.TRACEHOUSE_CLICKHOUSE_PORT,
          '--data-dir',
          join(statePaths(env).clickhouseDir, 'engine'),
        ],
        logFile: services.clickhouse.logFile,
        pidFile: services.clickhouse.pidFile,
        env: { ...process.env, CLICKHOUSE_PASSWORD: 'a-stale-password' },
      });
      const stale = services.clickhouse.pid;
      await cli('up');
      const restarted = services.clickhouse.pid;
      expect(restarted).toBeDefined();
      expect(restarted).not.toBe(stale);
      expect(stale !== undefined && isAlive(stale)).toBe(false);
      await clickhouseRoundTrip(url, { user: 'default', password });
      expect(readServicesEnv(env)?.CLICKHOUSE_PASSWORD).toBe(password);

      await cli('down');
      expect(isAlive(first.kafka!)).toBe(false);
      expect(isAlive(restarted!)).toBe(false);
      expect(readServicesEnv(env)).toBeUndefined();
      await expect(cli('status')).rejects.toMatchObject({ code: 1 });
    } finally {
      await Promise.all([services.kafka.stop(), services.clickhouse.stop()]);
      await rm(state, { recursive: true, force: true });
    }
  });
});
