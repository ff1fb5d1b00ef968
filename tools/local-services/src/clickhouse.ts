import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChdbPython } from './chdb-venv.js';
import { clickhouseServerConfig, findClickHouseBinary } from './clickhouse-binary.js';
import { CLICKHOUSE_USER, type ClickHouseCredentials } from './credentials.js';
import { LocalProcess } from './local-process.js';
import { repoRoot } from './paths.js';
import { spawnDetached } from './process.js';
import {
  clickhouseRoundTrip,
  enforcesCredentials,
  waitForClickHouse,
  waitForClickHousePing,
} from './readiness.js';

export interface LocalClickHouseOptions {
  dataDir: string;
  port: number;
  /** Required by the engine for every query; start() refuses an empty one (stop and status need none). */
  password: string;
  user?: string;
  readyTimeoutMs?: number;
}

/**
 * A real ClickHouse engine on loopback: `clickhouse server` when a binary >= 24.8 is on PATH,
 * otherwise the chdb engine behind tools/clickhouse-http (a local stand-in for the server).
 */
export class LocalClickHouse extends LocalProcess {
  readonly url: string;
  readonly credentials: ClickHouseCredentials;
  kind: 'server' | 'chdb' | undefined;
  readonly #o: Required<LocalClickHouseOptions>;

  constructor(options: LocalClickHouseOptions) {
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
      throw new Error(`LocalClickHouse: bad port ${options.port}`);
    }
    super(options.dataDir, 'clickhouse');
    this.#o = { readyTimeoutMs: 60_000, user: CLICKHOUSE_USER, ...options };
    this.url = `http://127.0.0.1:${options.port}`;
    this.credentials = { user: this.#o.user, password: options.password };
  }

  protected roundTrip(): Promise<void> {
    return clickhouseRoundTrip(this.url, this.credentials);
  }

  /**
   * Idempotent: a running engine that requires this password is reused. One that does not (started
   * before passwords existed, or with another one) is stopped and started again with it, so an
   * upgraded checkout never keeps an open engine. Data in the data dir survives restarts.
   */
  async start(): Promise<void> {
    if (!this.#o.password) throw new Error('LocalClickHouse: a password is required to start ClickHouse');
    if (this.isRunning() && !(await this.#requiresOurPassword())) await this.stop();
    if (!this.isRunning()) {
      mkdirSync(this.#o.dataDir, { recursive: true });
      const binary = await findClickHouseBinary();
      if (binary) {
        const config = join(this.#o.dataDir, 'config.xml');
        writeFileSync(config, clickhouseServerConfig(this.#o), { mode: 0o600 });
        this.kind = 'server';
        spawnDetached({
          command: binary,
          args: ['server', `--config-file=${config}`],
          logFile: this.logFile,
          pidFile: this.pidFile,
        });
      } else {
        this.kind = 'chdb';
        spawnDetached({
          command: await ensureChdbPython(),
          args: [
            join(repoRoot, 'tools', 'clickhouse-http', 'server.py'),
            '--host',
            '127.0.0.1',
            '--port',
            String(this.#o.port),
            '--data-dir',
            join(this.#o.dataDir, 'engine'),
          ],
          logFile: this.logFile,
          pidFile: this.pidFile,
          // In the environment, not on the command line, which every user of the machine can read.
          env: { ...process.env, CLICKHOUSE_USER: this.#o.user, CLICKHOUSE_PASSWORD: this.#o.password },
        });
      }
    }
    await this.waitReady(() => waitForClickHouse(this.url, this.#o.readyTimeoutMs, this.credentials));
  }

  async #requiresOurPassword(): Promise<boolean> {
    try {
      await waitForClickHousePing(this.url, this.#o.readyTimeoutMs);
    } catch {
      return false; // running but not answering: start it again
    }
    return enforcesCredentials(this.url, this.credentials);
  }
}
