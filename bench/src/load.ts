// The load generator, run as its own process so its CPU is not the pipeline's: posts traces to
// `POST /v2/ingest` (the otlp profile: OTLP protobuf to `POST /v1/traces`) with several requests in
// flight, steady (`--rate`) or as fast as possible, and reports on stdout as JSON lines: samples of
// acknowledged spans (for visibility lag) and totals.
import { decodeOtlpMessage } from '@tracehouse/ingest';
import { cliArgs } from './args.js';
import { otlpTemplate } from './otlp-profile.js';
import { makeTrace, type ProfileName, rng } from './profiles.js';

const args = cliArgs();
const url = String(args.url);
const key = String(args.key);
const profile = String(args.profile) as ProfileName;
const seconds = Number(args.seconds);
const rate = Number(args.rate ?? 0); // spans/s; 0 = as fast as possible
const concurrency = Number(args.concurrency ?? 6);
const batchSpans = Number(args.batch ?? (profile === 'small' ? 900 : 400));

const random = rng(Number(args.seed ?? 1));
const emit = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
let accepted = 0;
let rejected = 0;
let failed = 0;
let bytes = 0;
let sent = 0;

/**
 * Request bodies are made before the load starts, as the raw baselines' rows are: on a machine whose
 * cores the pipeline shares, encoding 9 KB spans per request would take CPU from what is measured.
 * Each body is kept split at the first 8 hex digits of every id in it; a send joins the pieces with a
 * number of its own, so every id of every send is new (docs/BENCHMARKS.md).
 */
interface BodyTemplate {
  pieces: string[];
  spans: number;
  /** The ids after their first 8 hex digits, for the visibility samples. */
  ids: { id: string; traceId: string }[];
}

const idHead = /"[0-9a-f]{8}(?=-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")/g;

function makeTemplate(): BodyTemplate {
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
  const tail = (uuid: string) => uuid.slice(8);
  return {
    pieces: JSON.stringify({ items }).split(idHead),
    spans,
    ids: ids.map((i) => ({ id: tail(i.id), traceId: tail(i.traceId) })),
  };
}

const otlp = profile === 'otlp';
const templates = Array.from({ length: Number(args.templates ?? 24) }, () =>
  otlp ? otlpTemplate(random, batchSpans) : makeTemplate(),
);
let sends = 0;
const cpuMicros = () => {
  const { userCPUTime, systemCPUTime } = process.resourceUsage();
  return userCPUTime + systemCPUTime;
};
const cpuBeforeLoad = cpuMicros();
const started = Date.now();
const deadline = started + seconds * 1000;

async function worker(): Promise<void> {
  while (Date.now() < deadline) {
    const send = sends++;
    const template = templates[send % templates.length]!;
    const { spans } = template;
    // Steady rate: a send's turn comes when the spans sent before it are due. It takes its turn
    // before waiting, so the workers waiting together wait for turns one after another. (Until 5
    // December they read the same count while waiting and all woke at once: at 2,400 spans/s, six
    // requests together once a second instead of one every 166 ms.)
    if (rate > 0) {
      const due = started + (sent / rate) * 1000;
      sent += spans;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      if (Date.now() >= deadline) break;
    }
    const head = send.toString(16).padStart(8, '0');
    const body = 'pieces' in template ? template.pieces.join(`"${head}`) : template.body(send);
    const res = await fetch(`${url}${otlp ? '/v1/traces' : '/v2/ingest'}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': otlp ? 'application/x-protobuf' : 'application/json',
      },
      body,
    }).catch(() => undefined);
    if (res?.status !== 200) {
      failed += spans;
      const why = res ? `${res.status} ${(await res.text()).slice(0, 300)}` : 'no response';
      if (failed === spans) process.stderr.write(`load: first failure: ${why}\n`);
      continue;
    }
    const ackedAt = Date.now();
    const refused = await rejectedIn(res);
    // An OTLP span refused in a partial success is not stored; /v2/ingest's count keeps its meaning.
    accepted += otlp ? spans - refused : spans;
    rejected += refused;
    bytes += body.length;
    // One sampled span per batch for the visibility probe.
    const index = Math.floor(random() * spans);
    const sample =
      'pieces' in template
        ? { id: head + template.ids[index]!.id, traceId: head + template.ids[index]!.traceId }
        : template.sample(send, index);
    emit({ type: 'sample', ...sample, ackedAt, spans });
  }
}

/** Spans the server refused in a 200 answer (`/v2/ingest` results, or OTLP's partial success). */
async function rejectedIn(res: Response): Promise<number> {
  if (!otlp) return ((await res.json()) as { rejected: number }).rejected;
  const answer = decodeOtlpMessage('response', new Uint8Array(await res.arrayBuffer()));
  return Number((answer.partialSuccess as { rejectedSpans?: number } | undefined)?.rejectedSpans ?? 0);
}

await Promise.all(Array.from({ length: concurrency }, () => worker()));
// Its own CPU while loading: it shares the machine's cores with the pipeline, so the report shows it.
const cpuSeconds = (cpuMicros() - cpuBeforeLoad) / 1e6;
emit({ type: 'done', accepted, rejected, failed, bytes, seconds: (Date.now() - started) / 1000, cpuSeconds });
