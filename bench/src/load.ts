// The load generator, run as its own process so its CPU is not the pipeline's: posts traces to
// `POST /v2/ingest` with several requests in flight, steady (`--rate`) or as fast as possible, and
// reports on stdout as JSON lines: samples of acknowledged spans (for visibility lag) and totals.
import { makeTrace, type ProfileName, rng } from './profiles.js';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const url = String(args.url);
const key = String(args.key);
const profile = String(args.profile) as ProfileName;
const seconds = Number(args.seconds);
const rate = Number(args.rate ?? 0); // spans/s; 0 = as fast as possible
const concurrency = Number(args.concurrency ?? 6);
const batchSpans = Number(args.batch ?? (profile === 'small' ? 900 : 400));

const random = rng(Number(args.seed ?? 1));
const emit = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const deadline = Date.now() + seconds * 1000;
let accepted = 0;
let rejected = 0;
let failed = 0;
let bytes = 0;
let sent = 0;
const started = Date.now();

async function worker(): Promise<void> {
  while (Date.now() < deadline) {
    if (rate > 0) {
      // Steady rate: wait until this batch's turn.
      const due = started + (sent / rate) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      if (Date.now() >= deadline) break;
    }
    const items: unknown[] = [];
    const ids: { id: string; traceId: string }[] = [];
    let spans = 0;
    while (spans < batchSpans) {
      const trace = makeTrace(profile, random, Date.now());
      if (items.length + trace.items.length > 1_000) break;
      items.push(...trace.items);
      ids.push(...trace.ids);
      spans += trace.spans;
    }
    sent += spans;
    const body = JSON.stringify({ items });
    const res = await fetch(`${url}/v2/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    }).catch(() => undefined);
    if (res?.status !== 200) {
      failed += spans;
      const why = res ? `${res.status} ${(await res.text()).slice(0, 300)}` : 'no response';
      if (failed === spans) process.stderr.write(`load: first failure: ${why}\n`);
      continue;
    }
    const result = (await res.json()) as { accepted: number; rejected: number };
    const ackedAt = Date.now();
    accepted += spans;
    rejected += result.rejected;
    bytes += body.length;
    // One sampled span per batch for the visibility probe.
    const sample = ids[Math.floor(random() * ids.length)]!;
    emit({ type: 'sample', id: sample.id, traceId: sample.traceId, ackedAt, spans });
  }
}

await Promise.all(Array.from({ length: concurrency }, () => worker()));
// Its own CPU: it shares the machine's cores with the pipeline, so the report shows what it took.
const { userCPUTime, systemCPUTime } = process.resourceUsage();
const cpuSeconds = (userCPUTime + systemCPUTime) / 1e6;
emit({ type: 'done', accepted, rejected, failed, bytes, seconds: (Date.now() - started) / 1000, cpuSeconds });
