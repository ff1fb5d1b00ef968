import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { freePort, repoRoot } from '@tracehouse/local-services';
import {
  createApiKey,
  createClickHouse,
  createKafka,
  ensureProject,
  type Logger,
  migrate,
} from '@tracehouse/shared/node';

export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  logTail(): string;
  stop(): Promise<void>;
}

/**
 * The pipeline under test, each service in its own process (so its CPU and memory are its own), on a
 * database and topic prefix of this run only.
 */
export class BenchStack {
  readonly services: ServiceProcess[] = [];
  apiKey = '';
  projectId = '';

  private constructor(
    readonly env: Record<string, string>,
    readonly clickhouse: ClickHouseClient,
    private readonly logger: Logger,
  ) {}

  static async create(
    /** What `servicesUp` returns. */
    base: {
      kafkaBrokers: string[];
      clickhouseUrl: string;
      clickhouseUser: string;
      clickhousePassword: string;
    },
    logger: Logger,
  ): Promise<BenchStack> {
    const run = `bench_${Date.now().toString(36)}`;
    const env = {
      KAFKA_BROKERS: base.kafkaBrokers.join(','),
      CLICKHOUSE_URL: base.clickhouseUrl,
      CLICKHOUSE_USER: base.clickhouseUser,
      CLICKHOUSE_PASSWORD: base.clickhousePassword,
      CLICKHOUSE_DATABASE: run,
      TOPIC_PREFIX: run,
      WRITER_GROUP_ID: `${run}-writer`,
      ALERTER_GROUP_ID: `${run}-alerter`,
      LOG_LEVEL: 'warn',
    };
    const connection = {
      url: base.clickhouseUrl,
      username: base.clickhouseUser,
      password: base.clickhousePassword,
    };
    await migrate({ ...connection, database: run, logger });
    // A fill's INSERT … SELECT of 250,000 realistic spans took over the default 60 s once the machine
    // was busy with other work; the bench's own queries may wait that long.
    const clickhouse = createClickHouse({ ...connection, database: run, logger, requestTimeoutMs: 300_000 });
    const stack = new BenchStack(env, clickhouse, logger);
    const project = await ensureProject(clickhouse, 'bench');
    stack.projectId = project.id;
    stack.apiKey = (await createApiKey(clickhouse, project.id)).key;
    return stack;
  }

  async spawn(
    service: 'ingest' | 'writer' | 'alerter',
    env: Record<string, string> = {},
  ): Promise<ServiceProcess> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        // BENCH_CPU_PROF=<dir>: a V8 CPU profile per service, written when it exits (docs/BENCHMARKS.md).
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
        // As `npm start` runs each service (README, Configuration): a young generation that holds a
        // request's and a batch's short-lived objects, so fewer of them are copied and promoted.
        '--max-semi-space-size=64',
        // BENCH_TRACE_GC=<dir>: each service's collections and why they ran, in <dir>/<service>.log.
        ...(process.env.BENCH_TRACE_GC ? ['--trace-gc', '--trace-incremental-marking'] : []),
        '--import',
        'tsx',
        '--conditions=development',
        // The HTTP side (ingest's writes, api's reads) runs as services/server.
        join(repoRoot, 'services', service === 'ingest' ? 'server' : service, 'src', 'main.ts'),
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          // The benchmark measures throughput, far past one project's default request budget.
          RATE_LIMIT_MAX: '0',
          ...this.env,
          ...env,
          [{ ingest: 'PORT', writer: 'WRITER_HEALTH_PORT', alerter: 'ALERTER_HEALTH_PORT' }[service]]:
            String(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // The end of its log, to explain a failure.
    let errors = '';
    const keep = (d: Buffer) => {
      errors = (errors + d).slice(-4_000);
    };
    child.stdout?.on('data', keep);
    const gcTrace = process.env.BENCH_TRACE_GC;
    if (gcTrace) {
      mkdirSync(gcTrace, { recursive: true });
      child.stdout?.pipe(createWriteStream(join(gcTrace, `${service}.log`)));
    }
    child.stderr?.on('data', keep);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`${service} did not start: ${errors}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const proc: ServiceProcess = {
      name: service,
      url,
      child,
      logTail: () => errors,
      stop: async () => {
        if (child.exitCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      },
    };
    this.services.push(proc);
    return proc;
  }

  /** Stored spans of the run (live rows, every version folded). */
  async storedSpans(): Promise<number> {
    const rs = await this.clickhouse.query({
      query: `SELECT count() AS n FROM spans_v2 FINAL WHERE project_id = {p:UUID} AND name != ''`,
      query_params: { p: this.projectId },
      format: 'JSONEachRow',
    });
    return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
  }

  /**
   * Spans stored since a moment (received at or after it): the run's own, beside a prefilled table.
   * Without FINAL, so a poll does not merge the whole table; distinct ids, so a span written twice
   * would count once here and show as a loss in the exactness check.
   */
  async storedSince(since: Date): Promise<number> {
    const rs = await this.clickhouse.query({
      query: `SELECT uniqExact(span_id) AS n FROM spans_v2
              WHERE project_id = {p:UUID} AND received_at >= {since:DateTime64(6)} AND name != ''`,
      query_params: { p: this.projectId, since: since.toISOString().replace('T', ' ').replace('Z', '') },
      format: 'JSONEachRow',
    });
    return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    for (const s of this.services.splice(0).reverse()) await s.stop();
    // BENCH_KEEP_DB=1: the run's tables stay, to be queried afterwards (docs/BENCHMARKS.md).
    if (!process.env.BENCH_KEEP_DB)
      await this.clickhouse.command({
        // SYNC: the space is freed now, not 8 minutes later (a 10 M fill holds 15 GiB and more while merging).
        query: 'DROP DATABASE IF EXISTS {db:Identifier} SYNC',
        query_params: { db: this.env.CLICKHOUSE_DATABASE! },
      });
    await this.clickhouse.close();
    await this.#deleteTopics();
  }

  /** The run's topics (its prefix), so runs leave nothing on the broker. */
  async #deleteTopics(): Promise<void> {
    const admin = createKafka({
      brokers: this.env.KAFKA_BROKERS!.split(','),
      clientId: 'bench',
      logger: this.logger,
    }).admin();
    await admin.connect();
    try {
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${this.env.TOPIC_PREFIX}.`));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    } finally {
      await admin.disconnect();
    }
  }
}
