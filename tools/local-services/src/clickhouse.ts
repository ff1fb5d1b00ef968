import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChdbPython } from './chdb-venv.js';
import { clickhouseServerConfig, findClickHouseBinary } from './clickhouse-binary.js';
import { LocalProcess } from './local-process.js';
import { repoRoot } from './paths.js';
import { spawnDetached } from './process.js';
import { clickhouseRoundTrip, waitForClickHouse } from './readiness.js';

export interface LocalClickHouseOptions {
  dataDir: string;
  port: number;
  readyTimeoutMs?: number;
}

/**
 * A real ClickHouse engine on loopback: `clickhouse server` when a binary >= 24.8 is on PATH,
 * otherwise the chdb engine behind tools/clickhouse-http (a local stand-in for the server).
 */
export class LocalClickHouse extends LocalProcess {
  readonly url: string;
  kind: 'server' | 'chdb' | undefined;
  readonly #o: Required<LocalClickHouseOptions>;

  constructor(options: LocalClickHouseOptions) {
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
      throw new Error(`LocalClickHouse: bad port ${options.port}`);
    }
    super(options.dataDir, 'clickhouse');
    this.#o = { readyTimeoutMs: 60_000, ...options };
    this.url = `http://127.0.0.1:${options.port}`;
  }

  protected roundTrip(): Promise<void> {
    return clickhouseRoundTrip(this.url);
  }

  /** Idempotent: a running engine is reused. Data in the data dir survives restarts. */
  async start(): Promise<void> {
    if (!this.isRunning()) {
      mkdirSync(this.#o.dataDir, { recursive: true });
      const binary = await findClickHouseBinary();
      if (binary) {
        const config = join(this.#o.dataDir, 'config.xml');
        writeFileSync(config, clickhouseServerConfig(this.#o));
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
        });
      }
    }
    await this.waitReady(() => waitForClickHouse(this.url, this.#o.readyTimeoutMs));
  }
}
