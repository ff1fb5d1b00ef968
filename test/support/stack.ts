import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { freePort, repoRoot } from '@tracehouse/local-services';
import { loadServerConfig, type ServerService, startServer } from '@tracehouse/server';
import {
  createApiKey,
  createClickHouse,
  ensureProject,
  HealthRegistry,
  migrate,
  shutdownInOrder,
} from '@tracehouse/shared/node';
import { loadWriterConfig, startWriter, type WriterService } from '@tracehouse/writer';
import { testLogger, testServices } from './clients.js';
import { uniqueName } from './names.js';

/**
 * A Tracehouse write path of a test's own: unique topic prefix, database and consumer group on the
 * shared (or a dedicated) Kafka and ClickHouse. Ingest and writer run in this process, or as real child
 * processes where a test kills them.
 */
export interface StackOptions {
  kafkaBrokers?: string[];
  clickhouseUrl?: string;
  /** With clickhouseUrl: that ClickHouse's password (a dedicated engine's). */
  clickhousePassword?: string;
  /** Extra env for every service (batch sizes, partitions...). */
  env?: Record<string, string>;
}

export class Stack {
  readonly env: Record<string, string>;
  readonly clickhouse: ClickHouseClient;
  readonly ingests: ServerService[] = [];
  writer: WriterService | undefined;
  readonly children = new Set<ChildProcess>();
  apiKey = '';
  projectId = '';

  private constructor(env: Record<string, string>) {
    this.env = env;
    this.clickhouse = createClickHouse({
      url: env.CLICKHOUSE_URL!,
      username: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
      database: env.CLICKHOUSE_DATABASE!,
      logger: testLogger,
    });
  }

  static async create(options: StackOptions = {}): Promise<Stack> {
    const services = testServices();
    const env: Record<string, string> = {
      KAFKA_BROKERS: (options.kafkaBrokers ?? services.kafkaBrokers).join(','),
      CLICKHOUSE_URL: options.clickhouseUrl ?? services.clickhouseUrl,
      CLICKHOUSE_USER: services.clickhouseUser,
      CLICKHOUSE_PASSWORD: options.clickhousePassword ?? services.clickhousePassword,
      CLICKHOUSE_DATABASE: uniqueName('th_stack'),
      TOPIC_PREFIX: uniqueName('th'),
      WRITER_GROUP_ID: uniqueName('th_writer'),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SPANS_PARTITIONS: '4',
      METRICS_PARTITIONS: '2',
      // Tests write far faster than one project's default budget; the rate-limit tests set their own.
      RATE_LIMIT_MAX: '0',
      ...options.env,
    };
    const stack = new Stack(env);
    await migrate({
      url: env.CLICKHOUSE_URL!,
      username: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
      database: env.CLICKHOUSE_DATABASE!,
      logger: testLogger,
    });
    const project = await ensureProject(stack.clickhouse, uniqueName('project'));
    stack.projectId = project.id;
    stack.apiKey = (await createApiKey(stack.clickhouse, project.id)).key;
    return stack;
  }

  /** Another API key, in another project. */
  async otherProjectKey(): Promise<{ projectId: string; key: string }> {
    const project = await ensureProject(this.clickhouse, uniqueName('other'));
    return { projectId: project.id, key: (await createApiKey(this.clickhouse, project.id)).key };
  }

  /** A server process's app in this process (ingest and api unless `SERVICES` says otherwise). */
  async startIngest(env: Record<string, string> = {}): Promise<ServerService> {
    const ingest = await startServer({
      config: loadServerConfig({ ...this.env, ...env }),
      logger: testLogger,
      health: new HealthRegistry(),
    });
    this.ingests.push(ingest);
    return ingest;
  }

  async startWriter(env: Record<string, string> = {}): Promise<WriterService> {
    this.writer = await startWriter({
      config: loadWriterConfig({ ...this.env, ...env }),
      logger: testLogger,
      health: new HealthRegistry(),
    });
    return this.writer;
  }

  async stopWriter(): Promise<void> {
    if (this.writer) await shutdownInOrder(this.writer.shutdownSteps, testLogger);
    this.writer = undefined;
  }

  /**
   * Runs a service as its own process (`src/main.ts`), for tests that SIGKILL or SIGTERM it.
   * Resolves once its health endpoint answers 200; the URL of that endpoint is returned.
   */
  async spawn(
    service: 'ingest' | 'writer' | 'alerter',
    env: Record<string, string> = {},
  ): Promise<SpawnedService> {
    const port = await freePort();
    const portVar = { ingest: 'PORT', writer: 'WRITER_HEALTH_PORT', alerter: 'ALERTER_HEALTH_PORT' }[service];
    const child = spawn(
      process.execPath,
      // The HTTP side (ingest's writes, api's reads) runs as services/server.
      [
        '--import',
        'tsx',
        '--conditions=development',
        join(repoRoot, 'services', service === 'ingest' ? 'server' : service, 'src', 'main.ts'),
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          ...this.env,
          ...env,
          [portVar]: String(port),
          LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${service} exited early (${child.exitCode}):\n${output.slice(-4000)}`);
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${service} not healthy in time:\n${output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return {
      url,
      child,
      output: () => output,
      kill: async (signal: NodeJS.Signals) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill(signal);
        await exited;
      },
    };
  }

  /** Live span rows of the stack's project (`FINAL`, pending patches excluded). */
  async spanCounts(projectId = this.projectId): Promise<{ rows: number; unique: number }> {
    const rs = await this.clickhouse.query({
      query: `SELECT count() AS rows, uniqExact(span_id) AS unique FROM spans_v2 FINAL
              WHERE project_id = {p:UUID} AND name != ''`,
      query_params: { p: projectId },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ rows: string; unique: string }>();
    return { rows: Number(row?.rows), unique: Number(row?.unique) };
  }

  /** Polls until `check` passes or the deadline; returns the last value for the assertion. */
  async eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let value = await read();
    while (!check(value) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      value = await read();
    }
    return value;
  }

  async close(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    for (const ingest of this.ingests.splice(0)) await shutdownInOrder(ingest.shutdownSteps, testLogger);
    await this.stopWriter();
    await this.clickhouse
      .command({
        query: 'DROP DATABASE IF EXISTS {db:Identifier}',
        query_params: { db: this.env.CLICKHOUSE_DATABASE! },
      })
      .catch(() => {});
    await this.clickhouse.close();
  }
}

export interface SpawnedService {
  url: string;
  child: ChildProcess;
  output: () => string;
  kill: (signal: NodeJS.Signals) => Promise<void>;
}
