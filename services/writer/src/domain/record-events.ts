import {
  DatasetEvent,
  decodeEventRecord,
  isExactMetricEvent,
  isExactSpanEvent,
  MetricEvent,
  parseExact,
  type SpanDeleteEvent,
  SpanEvent,
  type SpanPatchEvent,
  type SpanUpsertEvent,
  type TopicNames,
} from '@tracehouse/shared';
import { decodeTraceRecord, JsonLiteral, type StoredText, tokenFields } from '@tracehouse/shared/node';
import type { Pending } from './batch-buffer.js';

/** An event with the message it came from (and its place in it), for dead letters. */
export interface Sourced<E> {
  event: E;
  source: Pending;
  /** Index of the event in its record (records carry several events; docs/WRITE-PATH.md §1). */
  index: number;
}

type WithTokens<E extends { fields: object }> = Omit<E, 'fields'> & {
  fields: Omit<E['fields'], 'input' | 'output'> & { input?: StoredText | null; output?: StoredText | null };
};

/** A span event as the writer holds it: input and output may be tokens (`decodeTraceRecord`). */
export type WriterSpanEvent = WithTokens<SpanUpsertEvent> | WithTokens<SpanPatchEvent> | SpanDeleteEvent;

export interface DecodedBatch {
  /** Span and metric events in log order per partition. */
  traceEvents: Sourced<WriterSpanEvent | MetricEvent>[];
  entryEvents: Sourced<DatasetEvent>[];
  /** Events (or whole messages, index -1) that could not be read, with why. */
  refused: { source: Pending; index: number; event?: unknown; reason: string }[];
}

/**
 * Parses and validates every event of one consumed message; a bad one never stops the others. While
 * the short delay applies, the consumer runs this as each message arrives (`Pending.decoded`), so a
 * batch due for writing is not decoded then: 60 ms of each 370 ms write of about 1,500 realistic spans
 * was decoding, all of it between a span's acknowledgement and its visibility (see `ConsumerLoop`).
 */
export function decodeRecord(source: Pending, topics: TopicNames): DecodedBatch {
  const out: DecodedBatch = { traceEvents: [], entryEvents: [], refused: [] };
  if (!source.value) {
    out.refused.push({ source, index: -1, reason: 'empty message' });
    return out;
  }
  let events: unknown[];
  try {
    events =
      source.topic === topics.datasets
        ? decodeEventRecord(source.value.toString('utf8'))
        : decodeTraceRecord(source.value, source.io);
  } catch (err) {
    out.refused.push({ source, index: -1, reason: `not JSON: ${(err as Error).message}` });
    return out;
  }
  events.forEach((event, index) => {
    const refuse = (reason: string) => out.refused.push({ source, index, event, reason });
    if (source.topic === topics.datasets) {
      const r = DatasetEvent.safeParse(event);
      if (r.success) out.entryEvents.push({ event: r.data, source, index });
      else refuse(`not a DatasetEvent: ${summarize(r.error.issues)}`);
      return;
    }
    if (source.topic !== topics.spans && source.topic !== topics.metrics) {
      refuse(`unexpected topic ${source.topic}`);
      return;
    }
    const kind = (event as { kind?: unknown } | null)?.kind;
    const metric = typeof kind === 'string' && kind.startsWith('metric.');
    const tokens = setTokensAside(event);
    // What ingest built passes as it is; anything else gets zod's verdict (and copy).
    const r = metric
      ? parseExact(MetricEvent, isExactMetricEvent, event)
      : parseExact(SpanEvent, isExactSpanEvent, event);
    putTokensBack(event, tokens);
    if (r.success) {
      if (r.data !== event) putTokensBack(r.data, tokens);
      out.traceEvents.push({ event: r.data, source, index });
    } else refuse(`not a ${metric ? 'MetricEvent' : 'SpanEvent'}: ${summarize(r.error.issues)}`);
  });
  return out;
}

/** The events of the messages, in their order: as decoded on arrival, or decoded now. */
export function decodeBatch(items: Pending[], topics: TopicNames): DecodedBatch {
  const out: DecodedBatch = { traceEvents: [], entryEvents: [], refused: [] };
  for (const source of items) {
    const d = source.decoded ?? decodeRecord(source, topics);
    for (const e of d.traceEvents) out.traceEvents.push(e);
    for (const e of d.entryEvents) out.entryEvents.push(e);
    for (const r of d.refused) out.refused.push(r);
  }
  return out;
}

type Tokens = [key: string, token: JsonLiteral][] | undefined;

const fieldsOf = (event: unknown) => {
  const fields = (event as { fields?: unknown } | null)?.fields;
  return typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : undefined;
};

/**
 * Input and output that came as tokens (`decodeTraceRecord`) stand aside while zod checks the event:
 * an empty text takes their place, since the schema checks texts and a token was checked as one
 * JSON string when decoded.
 */
function setTokensAside(event: unknown): Tokens {
  const fields = fieldsOf(event);
  const tokens: [string, JsonLiteral][] = [];
  for (const key of tokenFields) {
    const value = fields?.[key];
    if (value instanceof JsonLiteral) {
      tokens.push([key, value]);
      fields![key] = '';
    }
  }
  return tokens.length > 0 ? tokens : undefined;
}

/** Puts the tokens back (views into the record's value, which the batch holds: `decodeTraceRecord`). */
function putTokensBack(event: unknown, tokens: Tokens): void {
  if (tokens === undefined) return;
  const fields = fieldsOf(event)!;
  for (const [key, token] of tokens) fields[key] = token;
}

function summarize(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
