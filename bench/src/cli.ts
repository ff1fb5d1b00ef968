// `npm run bench [-- --profile=realistic|small|otlp|both|all --seconds=60 --rate=0 --short]`
// Measures the pipeline (ingest → Kafka → writer → ClickHouse, each in its own process) against raw
// baselines of its parts on the same Kafka and ClickHouse, prints a table and writes bench/results/.
// Exits non-zero when a span is lost or duplicated, or a step fails; never because of speed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot, servicesStatus, servicesUp } from '@tracehouse/local-services';
import { createLogger } from '@tracehouse/shared/node';
import { alerterCaughtUp, insertBenchRules } from './alerter-probe.js';
import { cliArgs } from './args.js';
import { clickhouseBaseline, kafkaBaseline } from './baselines.js';
import { BenchStack } from './bench-stack.js';
import { fillStored } from './fill.js';
import { runLoad } from './load-process.js';
import { timeCalls, VisibilityProbe } from './probes.js';
import { ProcWatch } from './proc-stats.js';
import type { ProfileName } from './profiles.js';
import { phase, progress } from './progress.js';
import { writerBatches } from './prometheus.js';

const args = cliArgs();
const short = args.short === 'true';
/** `both`: the /v2 profiles; `all`: and otlp. The default runs all three (--short too: see BENCHMARKS.md). */
const profileSets: Record<string, ProfileName[]> = {
  both: ['realistic', 'small'],
  all: ['realistic', 'small', 'otlp'],
};
const profiles: ProfileName[] = profileSets[args.profile ?? 'all'] ?? [args.profile as ProfileName];
const seconds = Number(args.seconds ?? (short ? 10 : 60));
const rate = Number(args.rate ?? 0);
const baselineSeconds = short ? 3 : 15;
/** Visibility samples acknowledged this long after the first are the headline (`VisibilityProbe`). */
const warmupSeconds = Number(args.warmup ?? (short ? 2 : 5));
if (!(warmupSeconds >= 0)) throw new Error('--warmup: a number of seconds, 0 or more');
/** Stored sizes to measure query latency at, beyond what the load stored (e.g. 1000000,10000000). */
const storedTargets = String(args.stored ?? '')
  .split(',')
  .filter(Boolean)
  .map(Number);
/** Spans filled directly in ClickHouse before the load, so writes and queries run on a table that size. */
const prefill = Number(args.prefill ?? 0);
/** Input/output of the filled rows: 200 B each, or `realistic` (200 B–20 KB, like the realistic load). */
const fillIo = args['fill-io'] === 'realistic' ? 'realistic' : 'small';
const filled = (profile: string) => (n: number) => progress(`${profile}: filled ${n} spans`);
const logger = createLogger({ name: 'bench', level: 'warn' });

const endpoints = await servicesUp({ env: process.env });
const pids = Object.fromEntries(
  (await servicesStatus({ env: process.env })).filter((s) => s.pid).map((s) => [s.name, s.pid!]),
);
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
let failures = 0;

for (const profile of profiles) {
  const stack = await BenchStack.create(endpoints, logger);
  try {
    const result = await runProfile(stack, profile);
    report(profile, result);
  } catch (err) {
    failures++;
    process.stderr.write(`bench ${profile} failed: ${err instanceof Error ? err.stack : err}\n`);
    for (const s of stack.services) process.stderr.write(`--- ${s.name} log (end):\n${s.logTail()}\n`);
  } finally {
    await stack.close().catch(() => {});
  }
}
process.exit(failures > 0 ? 1 : 0);

/** Waits (up to two minutes) until ClickHouse runs no merge in the run's database. */
async function mergesSettled(stack: BenchStack, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Quiet for 5 s: the engine picks its next merge a moment after the last one ends.
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const rs = await stack.clickhouse.query({
      query: 'SELECT count() AS n FROM system.merges WHERE database = currentDatabase()',
      format: 'JSONEachRow',
    });
    if (Number((await rs.json<{ n: string }>())[0]?.n ?? 0) > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= 5_000) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  process.stderr.write(`bench: merges still running after ${timeoutMs / 1000} s; measuring anyway\n`);
}

async function runProfile(stack: BenchStack, profile: ProfileName) {
  // Baselines first, on the same rows, Kafka and ClickHouse; ClickHouse's CPU is read across the insert
  // baseline, so a raw row's cost is measured the way the pipeline's spans are.
  phase(profile, `raw ClickHouse insert baseline (${baselineSeconds} s)`);
  const baselineWatch = new ProcWatch({ clickhouse: pids.clickhouse! }, ['clickhouse']);
  baselineWatch.start();
  const clickhouse = await clickhouseBaseline(stack.clickhouse, profile, stack.projectId, baselineSeconds);
  // The merges an insert sets off are part of what a row costs, for the baseline as for the pipeline.
  await mergesSettled(stack);
  const baselineCpu = baselineWatch.stop().clickhouse!.cpuSeconds;
  const baselineThreads = baselineWatch.threadSeconds('clickhouse');
  phase(profile, `raw kafkajs produce baseline (${baselineSeconds} s)`);
  const kafka = await kafkaBaseline(
    endpoints.kafkaBrokers,
    `${stack.env.TOPIC_PREFIX}.baseline`,
    profile,
    baselineSeconds,
    logger,
  );

  if (prefill > 0) {
    process.stderr.write(`bench ${profile}: filling ${prefill} spans directly in ClickHouse first...\n`);
    await fillStored(stack, prefill, { io: fillIo, onChunk: filled(profile) });
    // The fill's own merges must not run during the load, where they would count as the pipeline's.
    await mergesSettled(stack);
  }
  phase(profile, 'starting ingest and the writer');
  const writer = await stack.spawn('writer');
  const ingest = await stack.spawn('ingest', { PRODUCE_MAX_IN_FLIGHT: '1' });
  await insertBenchRules(stack.clickhouse, stack.projectId);
  const alerter = await stack.spawn('alerter');
  const watch = new ProcWatch(
    {
      ...pids,
      ingest: ingest.child.pid!,
      writer: writer.child.pid!,
      alerter: alerter.child.pid!,
    },
    ['clickhouse'],
  );
  // At full speed the probe looks every 250 ms; at a set rate (where visibility is the figure) every
  // 50 ms. It asks ClickHouse only after a write completed (`VisibilityProbe`); BENCH_PROBE_EVERY_TICK=1
  // asks at every look, as before 5 December, afternoon, and BENCH_PROBE_MS sets the period, to see
  // what the probe itself costs.
  const probeMs = Number(process.env.BENCH_PROBE_MS ?? (rate > 0 ? 50 : 250));
  if (!(probeMs > 0)) throw new Error('BENCH_PROBE_MS: a number of milliseconds over 0');
  const probe = new VisibilityProbe(stack, {
    pollMs: probeMs,
    warmupMs: warmupSeconds * 1000,
    ...(process.env.BENCH_PROBE_EVERY_TICK === '1'
      ? {}
      : { written: async () => (await writerBatches(writer.url)).spanRows }),
  });
  probe.start();
  watch.start();
  const started = Date.now();
  const since = new Date(started - 1_000);
  phase(profile, `load for ${seconds} s${rate ? ` at ${rate} spans/s` : ', as fast as possible'}`);
  let acceptedSoFar = 0;
  const ticker = setInterval(() => {
    const elapsed = (Date.now() - started) / 1000;
    progress(
      `${profile}: ${elapsed.toFixed(0)}/${seconds} s, ${acceptedSoFar} spans accepted (${Math.round(acceptedSoFar / elapsed)}/s), ` +
        `${probe.samples} visibility samples`,
    );
  }, 1_000);
  const { report: done, pid: loadPid } = await runLoad(
    { url: ingest.url, key: stack.apiKey, profile, seconds, rate },
    (sample) => {
      probe.add(sample);
      acceptedSoFar += sample.spans;
    },
  ).finally(() => clearInterval(ticker));
  const acceptedAt = Date.now();

  // Everything acknowledged must arrive, once.
  phase(profile, `waiting until all ${done.accepted} acknowledged spans are stored`);
  const stored = await drained(stack, writer.url, since, done.accepted, profile);
  const storedAt = Date.now();
  await probe.drain(30_000);
  // The alerter reads the same topics: how far behind the writer it finishes, and its CPU per event.
  const alerted = await alerterCaughtUp(alerter.url, 120_000);
  const batches = await writerBatches(writer.url);
  const resources = watch.stop();
  if (stored !== done.accepted) {
    failures++;
    process.stderr.write(`LOST OR DUPLICATED: ${done.accepted} acknowledged, ${stored} stored\n`);
  }

  phase(profile, 'query latency');
  // Query latency at the size reached.
  const n = short ? 10 : 50;
  const queries = await measureQueries(stack, ingest.url, n);
  const atSize: Record<string, typeof queries> = {};
  for (const target of storedTargets) {
    phase(profile, `filling the tables to ${target} spans, then query latency there`);
    const size = await fillStored(stack, target, { io: fillIo, onChunk: filled(profile) });
    // As after the prefill: a table that size in steady state is merged, bar its newest rows.
    await mergesSettled(stack, 900_000);
    atSize[String(size)] = await measureQueries(stack, ingest.url, n);
  }
  const elapsed = (storedAt - started) / 1000;
  return {
    machine,
    profile,
    seconds: done.seconds,
    rateTarget: rate || 'max',
    acceptedSpans: done.accepted,
    storedSpans: stored,
    exact: stored === done.accepted,
    acceptedPerSecond: Math.round(done.accepted / done.seconds),
    endToEndPerSecond: Math.round(stored / elapsed),
    drainSeconds: Math.round((storedAt - acceptedAt) / 100) / 10,
    requestMiBPerSecond: Math.round((done.bytes / done.seconds / 2 ** 20) * 10) / 10,
    visibilityLagMs: probe.summary(),
    /** Insert size drives ClickHouse's CPU per span (docs/WRITE-PATH.md §4). */
    writerBatches: batches,
    queriesMs: { storedSpans: stored, ...queries },
    queriesAtStoredMs: atSize,
    cpuMicrosPerSpan: Object.fromEntries(
      Object.entries(resources).map(([name, r]) => [
        name,
        Math.round((r.cpuSeconds * 1e6) / Math.max(stored, 1)),
      ]),
    ),
    /** Where ClickHouse's CPU went, by thread name (merges, query pipelines, the HTTP side…). */
    clickhouseCpuMicrosByThread: {
      perStoredSpan: microsByThread(watch.threadSeconds('clickhouse'), stored),
      perRawRow: microsByThread(baselineThreads, clickhouse.rows),
    },
    baselines: {
      clickhouseCpuMicrosPerRow: Math.round((baselineCpu * 1e6) / Math.max(clickhouse.rows, 1)),
      clickhouseInsertRowsPerSecond: clickhouse.rowsPerSecond,
      clickhouseBytesPerRow: clickhouse.bytesPerRow,
      kafkaProduceMessagesPerSecond: kafka.messagesPerSecond,
    },
    ratios: {
      pipelineVsClickhouseInsert: Math.round((stored / elapsed / clickhouse.rowsPerSecond) * 100) / 100,
      acceptedVsKafkaProduce:
        Math.round((done.accepted / done.seconds / kafka.messagesPerSecond) * 100) / 100,
    },
    resources,
    alerter: {
      eventsApplied: alerted.events,
      cpuMicrosPerEvent: alerted.events
        ? Math.round((resources.alerter!.cpuSeconds / alerted.events) * 1e7) / 10
        : null,
      caughtUpSecondsAfterStored: alerted.seconds,
    },
    loadGeneratorPid: loadPid,
    /** Not part of the pipeline, but on the same cores: what the client itself took per span. */
    loadGeneratorCpuMicrosPerSpan: Math.round((done.cpuSeconds * 1e6) / Math.max(done.accepted, 1)),
  };
}

/** CPU µs per item by thread name: the five largest, then the rest as `other`. */
function microsByThread(seconds: [string, number][], items: number): Record<string, number> {
  const micros = (s: number) => Math.round((s * 1e6) / Math.max(items, 1));
  const out = Object.fromEntries(seconds.slice(0, 5).map(([name, s]) => [name, micros(s)]));
  const rest = seconds.slice(5).reduce((sum, [, s]) => sum + s, 0);
  return rest > 0 ? { ...out, other: micros(rest) } : out;
}

function namedMicros(micros: Record<string, number>): string {
  return Object.entries(micros)
    .map(([name, us]) => `${name} ${us}`)
    .join(', ');
}

/**
 * Waits (up to five minutes) until the spans stored since the load began are as many as were
 * acknowledged, and returns how many are stored. The writer's count of span rows ClickHouse confirmed
 * says when to look: asking ClickHouse every 250 ms scanned the run's spans each time (53 ms of its
 * CPU per poll at 343,000 small spans, 2.3 µs per span over a 4.6 s drain), and that CPU was counted
 * as the pipeline's and slowed the writer's last inserts.
 */
async function drained(stack: BenchStack, writerUrl: string, since: Date, accepted: number, profile: string) {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const written = (await writerBatches(writerUrl)).spanRows;
    progress(`${profile}: ${written} of ${accepted} written`);
    if (written >= accepted || Date.now() > deadline) {
      const stored = await stack.storedSince(since);
      if (stored >= accepted || Date.now() > deadline) return stored;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * p50/p95 of the three queries the targets name, through the HTTP API, at the size stored now.
 *
 * The first call of a query on parts just written or merged loads their marks and primary index into
 * the engine's caches; a server answering queries all day has them loaded. So each query first runs
 * once (each sampled trace once, for get trace), reported apart as the first pass, and p50/p95 are of
 * the `n` calls after it. Before, get trace's p95 was mostly that load: each of its 50 calls read a
 * trace for the first time (docs/BENCHMARKS.md, 5 December, midday).
 */
async function measureQueries(stack: BenchStack, url: string, n: number) {
  const headers = { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' };
  const traceIds = await sampleTraces(stack, 50);
  if (traceIds.length === 0) throw new Error('no traces stored');
  const search = () =>
    fetch(`${url}/v2/search/traces`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ filter: { tags: { environment: 'production', model: 'gpt-4o' } }, limit: 50 }),
    });
  const trace = (i: number) => fetch(`${url}/v2/traces/${traceIds[i % traceIds.length]}`, { headers });
  const aggregation = () =>
    fetch(`${url}/v2/analytics/metrics`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ dimension: 'quality_score', group_by: { tag: 'model' } }),
    });
  const firstPass = {
    searchTwoTags: await timeCalls(1, search),
    getTrace: await timeCalls(traceIds.length, trace),
    metricAggregation: await timeCalls(1, aggregation),
  };
  return {
    searchTwoTags: await timeCalls(n, search),
    getTrace: await timeCalls(n, trace),
    metricAggregation: await timeCalls(n, aggregation),
    firstPass,
  };
}

async function sampleTraces(stack: BenchStack, n: number): Promise<string[]> {
  const rs = await stack.clickhouse.query({
    query: `SELECT toString(trace_id) AS t FROM trace_summaries WHERE project_id = {p:UUID} LIMIT {n:UInt32}`,
    query_params: { p: stack.projectId, n },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ t: string }>()).map((r) => r.t);
}

/** The headline figures name their warm-up (`VisibilityProbe`); the whole run's line does not. */
function visibilityText(v: {
  samples: number;
  p50: number;
  p99: number;
  warmupMs?: number;
  pollMs?: number;
  queries?: number;
}) {
  const extra =
    v.warmupMs === undefined
      ? ''
      : `, after a ${v.warmupMs / 1000} s warm-up, polled every ${v.pollMs} ms, ${v.queries} queries`;
  return `${v.p50} / ${v.p99} ms (${v.samples} samples${extra})`;
}

/** The first call of search and aggregation, and p50/p95 of the first read of each sampled trace. */
function firstPassText(f: Awaited<ReturnType<typeof measureQueries>>['firstPass']): string {
  return `search ${f.searchTwoTags.p50}, trace ${f.getTrace.p50}/${f.getTrace.p95}, aggregation ${f.metricAggregation.p50} ms`;
}

function report(profile: string, result: Awaited<ReturnType<typeof runProfile>>): void {
  const rows: [string, string][] = [
    ['machine', result.machine],
    ['profile / duration', `${profile}, ${result.seconds.toFixed(0)} s, rate ${result.rateTarget}`],
    ['accepted spans/s', String(result.acceptedPerSecond)],
    [
      'end-to-end stored spans/s',
      `${result.endToEndPerSecond} (drained ${result.drainSeconds} s after load)`,
    ],
    [
      'exactly once',
      `${result.exact ? 'yes' : 'NO'} (${result.acceptedSpans} acknowledged, ${result.storedSpans} stored)`,
    ],
    ['visibility lag p50 / p99', visibilityText(result.visibilityLagMs)],
    ['  whole run, warm-up included', visibilityText(result.visibilityLagMs.wholeRun)],
    [
      'writer batches',
      `${result.writerBatches.batches} (${result.writerBatches.behind} behind, ${result.writerBatches.saturated} saturated), ` +
        `${result.writerBatches.spansPerBatch} spans and ${result.writerBatches.msPerBatch} ms each on average`,
    ],
    [
      'raw ClickHouse insert',
      `${result.baselines.clickhouseInsertRowsPerSecond} rows/s (${result.baselines.clickhouseBytesPerRow} B/row)`,
    ],
    ['raw kafkajs produce', `${result.baselines.kafkaProduceMessagesPerSecond} msg/s`],
    [
      'CPU µs per stored span',
      `${namedMicros(result.cpuMicrosPerSpan)} (raw insert: clickhouse ${result.baselines.clickhouseCpuMicrosPerRow} per row)`,
    ],
    ['clickhouse µs by thread, per span', namedMicros(result.clickhouseCpuMicrosByThread.perStoredSpan)],
    ['  per raw insert row', namedMicros(result.clickhouseCpuMicrosByThread.perRawRow)],
    [
      'load generator CPU µs per span',
      `${result.loadGeneratorCpuMicrosPerSpan} (same cores, not counted above)`,
    ],
    ['pipeline / ClickHouse insert', `${Math.round(result.ratios.pipelineVsClickhouseInsert * 100)} %`],
    ['accepted / kafkajs produce', `${Math.round(result.ratios.acceptedVsKafkaProduce * 100)} %`],
    [
      `search, 2 tags (p50/p95) @${result.queriesMs.storedSpans}`,
      `${result.queriesMs.searchTwoTags.p50} / ${result.queriesMs.searchTwoTags.p95} ms`,
    ],
    ['get trace (p50/p95)', `${result.queriesMs.getTrace.p50} / ${result.queriesMs.getTrace.p95} ms`],
    [
      'metric aggregation (p50/p95)',
      `${result.queriesMs.metricAggregation.p50} / ${result.queriesMs.metricAggregation.p95} ms`,
    ],
    ['  first pass', firstPassText(result.queriesMs.firstPass)],
    ...Object.entries(result.queriesAtStoredMs).flatMap(([size, q]): [string, string][] => [
      [
        `queries @${size} spans (p50/p95)`,
        `search ${q.searchTwoTags.p50}/${q.searchTwoTags.p95}, trace ${q.getTrace.p50}/${q.getTrace.p95}, ` +
          `aggregation ${q.metricAggregation.p50}/${q.metricAggregation.p95} ms`,
      ],
      [`  first pass @${size} spans`, firstPassText(q.firstPass)],
    ]),
    [
      'alerter: CPU per event / behind the writer',
      `${result.alerter.cpuMicrosPerEvent} µs (${result.alerter.eventsApplied} events) / caught up ${result.alerter.caughtUpSecondsAfterStored} s after stored`,
    ],
    ...Object.entries(result.resources).map(([name, r]): [string, string] => [
      `${name}: CPU s / peak RSS`,
      `${r.cpuSeconds} s / ${r.peakRssMiB} MiB`,
    ]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}`);
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${profile}${short ? '-short' : ''}.json`), `${JSON.stringify(result, null, 2)}\n`);
}
