import {
  exactSpanEventCheck,
  isExactMetricEvent,
  MetricEvent,
  projectHeader,
  SpanDeleteEvent,
  SpanPatchEvent,
  SpanUpsertEvent,
} from '@tracehouse/shared';
import { decodeTraceRecord, ioHeaderText, JsonLiteral } from '@tracehouse/shared/node';
import { z } from 'zod';
import type { StreamEvent } from '../domain/aggregator.js';

/**
 * A span event as the alerter reads it: what rules filter and measure on. Input, output and metadata
 * (most of a span's bytes) are neither validated nor kept; validating them cost a sixth of the
 * alerter's CPU, and the writer validates whole events before storing them.
 */
const notRead = { input: true, output: true, meta: true, feedback_comment: true } as const;
const SpanEventRead = z.discriminatedUnion('kind', [
  SpanUpsertEvent.extend({ fields: SpanUpsertEvent.shape.fields.omit(notRead) }),
  SpanPatchEvent.extend({ fields: SpanPatchEvent.shape.fields.omit(notRead) }),
  SpanDeleteEvent,
]);

/** Inputs and outputs arrive as tokens (`decodeTraceRecord`), which the alerter never reads. */
const isExactSpanEvent = exactSpanEventCheck((v) => typeof v === 'string' || v instanceof JsonLiteral);

const parse = (value: unknown): StreamEvent | undefined => {
  // Most events are exactly what ingest built: taken as they are, without zod's walk and copy.
  if (isExactSpanEvent(value) || isExactMetricEvent(value)) return value;
  const s = SpanEventRead.safeParse(value);
  if (s.success) return s.data;
  const m = MetricEvent.safeParse(value);
  return m.success ? m.data : undefined;
};

export interface StreamMessage {
  value: Buffer | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export interface DecodedMessages {
  events: StreamEvent[];
  /** Records or events that could not be read (the writer dead-letters them; here they are skipped). */
  unparsable: number;
  /** Records of projects no rule needs, skipped unread. */
  skipped: number;
}

/**
 * The events of a fetched batch that rules may need. A record names its project in a header (ingest
 * sets it); one whose project has no enabled rule is skipped without being parsed, so projects that
 * use no alerts cost the alerter next to nothing. Records without the header are read in full.
 */
export function decodeMessages(
  messages: StreamMessage[],
  wanted: (projectId: string) => boolean,
): DecodedMessages {
  const out: DecodedMessages = { events: [], unparsable: 0, skipped: 0 };
  for (const m of messages) {
    const project = m.headers?.[projectHeader];
    if (project !== undefined && !Array.isArray(project) && !wanted(project.toString())) {
      out.skipped++;
      continue;
    }
    let events: unknown[];
    try {
      // Inputs and outputs are not parsed, only skipped (docs/WRITE-PATH.md §1).
      events = decodeTraceRecord(m.value ?? Buffer.from('null'), ioHeaderText(m.headers));
    } catch {
      out.unparsable++;
      continue;
    }
    for (const v of events) {
      const e = parse(v);
      if (e) out.events.push(e);
      else out.unparsable++;
    }
  }
  return out;
}
