import { DatasetEvent, decodeEventRecord, MetricEvent, SpanEvent, type TopicNames } from '@tracehouse/shared';
import type { Pending } from './batch-buffer.js';

/** An event with the message it came from (and its place in it), for dead letters. */
export interface Sourced<E> {
  event: E;
  source: Pending;
  /** Index of the event in its record (records carry several events; docs/WRITE-PATH.md §1). */
  index: number;
}

export interface DecodedBatch {
  /** Span and metric events in log order per partition. */
  traceEvents: Sourced<SpanEvent | MetricEvent>[];
  entryEvents: Sourced<DatasetEvent>[];
  /** Events (or whole messages, index -1) that could not be read, with why. */
  refused: { source: Pending; index: number; event?: unknown; reason: string }[];
}

/** Parses and validates every event of the consumed messages; a bad one never stops the others. */
export function decodeBatch(items: Pending[], topics: TopicNames): DecodedBatch {
  const out: DecodedBatch = { traceEvents: [], entryEvents: [], refused: [] };
  for (const source of items) {
    if (!source.value) {
      out.refused.push({ source, index: -1, reason: 'empty message' });
      continue;
    }
    let events: unknown[];
    try {
      events = decodeEventRecord(source.value.toString('utf8'));
    } catch (err) {
      out.refused.push({ source, index: -1, reason: `not JSON: ${(err as Error).message}` });
      continue;
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
      const schema = typeof kind === 'string' && kind.startsWith('metric.') ? MetricEvent : SpanEvent;
      const r = schema.safeParse(event);
      if (r.success) out.traceEvents.push({ event: r.data, source, index });
      else
        refuse(`not a ${schema === MetricEvent ? 'MetricEvent' : 'SpanEvent'}: ${summarize(r.error.issues)}`);
    });
  }
  return out;
}

function summarize(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
