// `npm run bench:writer`: the writer alone, draining a backlog. Ingest accepts load for a while with no
// writer running, and stops (its CPU per span is reported too, with only the load generator beside
// it); then a writer starts and writes the whole backlog, and its CPU per span is measured with nothing
// else loading the cores (ClickHouse's beside it). The full bench runs every process at once on shared
// cores, where one process's figure moves with the others' by a fifth from run to run; this one
// compares writer changes. It is no throughput target (docs/BENCHMARKS.md).
import { servicesUp } from '@tracehouse/local-services';
import { createLogger } from '@tracehouse/shared/node';
import { cliArgs } from './args.js';
import { BenchStack } from './bench-stack.js';
import { runLoad } from './load-process.js';
import { ProcWatch } from './proc-stats.js';
import type { ProfileName } from './profiles.js';
import { phase, progress } from './progress.js';
import { writerBatches } from './prometheus.js';

const args = cliArgs();
const profile = (args.profile ?? 'realistic') as ProfileName;
const seconds = Number(args.seconds ?? 20);
const runs = Number(args.runs ?? 1);
if (!['realistic', 'small'].includes(profile) || !(seconds > 0) || !(runs >= 1))
  throw new Error('usage: --profile=realistic|small --seconds=N --runs=N');

const logger = createLogger({ name: 'bench', level: 'warn' });
const endpoints = await servicesUp({ env: process.env });

for (let run = 1; run <= runs; run++) {
  const stack = await BenchStack.create(endpoints, logger);
  try {
    phase(profile, `run ${run}: ingest accepts load for ${seconds} s, no writer running`);
    const ingest = await stack.spawn('ingest', { PRODUCE_MAX_IN_FLIGHT: '1' });
    const ingestWatch = new ProcWatch({ ingest: ingest.child.pid! });
    ingestWatch.start();
    const { report } = await runLoad(
      { url: ingest.url, key: stack.apiKey, profile, seconds, rate: 0 },
      () => {},
    );
    const ingestCpu = ingestWatch.stop().ingest!.cpuSeconds;
    await ingest.stop();
    process.stdout.write(
      `${profile} run ${run}: ingest took ${report.accepted} spans in ${report.seconds.toFixed(1)} s ` +
        `(${Math.round(report.accepted / report.seconds)}/s), ${Math.round((ingestCpu * 1e6) / report.accepted)} µs ` +
        `CPU per span, with the load generator beside it\n`,
    );
    phase(profile, `run ${run}: a writer writes the ${report.accepted} spans acknowledged`);
    const writer = await stack.spawn('writer');
    const watch = new ProcWatch({ writer: writer.child.pid! });
    watch.start();
    const started = Date.now();
    for (;;) {
      const written = (await writerBatches(writer.url)).spanRows;
      progress(`${profile}: ${written} of ${report.accepted} written`);
      if (written >= report.accepted) break;
      if (Date.now() - started > 600_000) throw new Error(`only ${written} of ${report.accepted} written`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ms = Date.now() - started;
    const { cpuSeconds, peakRssMiB } = watch.stop().writer!;
    const batches = await writerBatches(writer.url);
    process.stdout.write(
      `${profile} run ${run}: ${report.accepted} spans in ${(ms / 1000).toFixed(1)} s ` +
        `(${Math.round(report.accepted / (ms / 1000))}/s), writer ${Math.round((cpuSeconds * 1e6) / report.accepted)} µs ` +
        `CPU per span, peak RSS ${peakRssMiB} MiB, ${batches.batches} batches\n`,
    );
  } finally {
    await stack.close().catch(() => {});
  }
}
