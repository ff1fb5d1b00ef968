// The load generator, run as its own process so its CPU is not the pipeline's: posts traces to
// `POST /v2/ingest` (the otlp profile: OTLP protobuf to `POST /v1/traces`) with several requests in
// flight, steady (`--rate`) or as fast as possible, and reports on stdout as JSON lines: samples of
// acknowledged spans (for visibility lag) and totals.
import { decodeOtlpMessage } from '@tracehouse/ingest';
import { makeOtlpBatch } from './otlp-profile.js';
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
    const { body, ids, spans, path, contentType } = nextBatch();
    sent += spans;
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
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
    // An OTLP span refused in a partial success is not stored; /v2/ingest's count keeps its old meaning.
    accepted += profile === 'otlp' ? spans - refused : spans;
    rejected += refused;
    bytes += typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    // One sampled span per batch for the visibility probe.
    const sample = ids[Math.floor(random() * ids.length)]!;
    emit({ type: 'sample', id: sample.id, traceId: sample.traceId, ackedAt, spans });
  }
}

/** The next request: a `/v2/ingest` batch, or an OTLP export for the otlp profile. */
function nextBatch() {
  if (profile === 'otlp') {
    const batch = makeOtlpBatch(random, Date.now(), batchSpans);
    return { ...batch, path: '/v1/traces', contentType: 'application/x-protobuf' };
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
  return { body: JSON.stringify({ items }), ids, spans, path: '/v2/ingest', contentType: 'application/json' };
}

/** Spans the server refused in a 200 answer (`/v2/ingest` results, or OTLP's partial success). */
async function rejectedIn(res: Response): Promise<number> {
  if (profile !== 'otlp') return ((await res.json()) as { rejected: number }).rejected;
  const answer = decodeOtlpMessage('response', new Uint8Array(await res.arrayBuffer()));
  return Number((answer.partialSuccess as { rejectedSpans?: number } | undefined)?.rejectedSpans ?? 0);
}

await Promise.all(Array.from({ length: concurrency }, () => worker()));
emit({ type: 'done', accepted, rejected, failed, bytes, seconds: (Date.now() - started) / 1000 });
