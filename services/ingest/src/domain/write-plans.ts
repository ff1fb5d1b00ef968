import {
  encodeEventRecord,
  type IndexEntry,
  type MetricEvent,
  projectHeader,
  type SpanEvent,
} from '@tracehouse/shared';
import {
  encodeTraceEvent,
  encodeTraceRecord,
  ioHeader,
  type KnownSpan,
  type TraceEventPiece,
} from '@tracehouse/shared/node';
import type { OutRecord } from './produce-batcher.js';

/** A span or metric event, encoded, waiting to share a record with the rest of its trace's events. */
export interface TraceEventOut {
  topic: string;
  /** The trace id. */
  key: string;
  projectId: string;
  /** `encodeTraceEvent`'s pieces. */
  pieces: TraceEventPiece[];
}

/** What a write sends: records, and trace events that `groupByTrace` makes records of. */
export type PlannedRecord = OutRecord | TraceEventOut;

/** What one write will send, and what it answers once Kafka has it. */
export interface Plan<T> {
  records: PlannedRecord[];
  entries: IndexEntry[];
  result: T;
}

/**
 * Spans planned earlier in the same request (a `/v2/ingest` batch), so a child finds a parent that
 * travels in the same batch.
 */
export type BatchScope = Map<string, KnownSpan | null>;

/** A plan whose span index entries are also noted in the request's scope, for the items after it. */
export function planned<T>(
  records: PlannedRecord[],
  entries: IndexEntry[],
  result: T,
  scope?: BatchScope,
): Plan<T> {
  for (const e of entries) {
    if (!scope || 'kind' in e || e.target === 'metrics') continue;
    const key = `${e.project_id}/${e.span_id}`;
    const prev = scope.get(key);
    scope.set(
      key,
      e.deleted
        ? null
        : {
            traceId: e.trace_id,
            name: e.name ?? prev?.name,
            parentId: e.parent_id !== undefined ? e.parent_id : prev?.parentId,
          },
    );
  }
  return { records, entries, result };
}

/** A span or metric event, encoded once (`encodeTraceEvent`: inputs and outputs apart, as tokens). */
export function traceEventRecord(topic: string, event: SpanEvent | MetricEvent): TraceEventOut {
  return { topic, key: event.trace_id, projectId: event.project_id, pieces: encodeTraceEvent(event) };
}

/**
 * The span and metric events of one request, one record per trace (docs/WRITE-PATH.md §1), keyed by
 * the trace, so a trace's events stay in order on one partition. Headers: the project, so a consumer
 * that wants nothing of a project (the alerter, for projects without rules) skips the record unread;
 * and where the inputs' and outputs' tokens lie (`ioHeader`), so readers parse only the rest.
 */
export function groupByTrace(records: PlannedRecord[], allocate?: (size: number) => Buffer): OutRecord[] {
  const out: OutRecord[] = [];
  const byTrace = new Map<string, { first: TraceEventOut; events: TraceEventPiece[][] }>();
  for (const r of records) {
    if (!('pieces' in r)) {
      out.push(r);
      continue;
    }
    // Two projects may use the same trace id: their events never share a record.
    const group = `${r.projectId}/${r.key}`;
    const found = byTrace.get(group);
    if (found) found.events.push(r.pieces);
    else byTrace.set(group, { first: r, events: [r.pieces] });
  }
  for (const { first, events } of byTrace.values()) {
    const { value, io } = encodeTraceRecord(events, allocate);
    const headers: Record<string, string> = { [projectHeader]: first.projectId };
    if (io !== undefined) headers[ioHeader] = io;
    out.push({ topic: first.topic, key: first.key, value, headers });
  }
  return out;
}

/**
 * One index record for every write of the request: every ingest process reads the whole index, so
 * its cost is per record. Entries are applied by version, so their order across records is free. The
 * origin header lets the process that sent it skip it (it already has the entries).
 */
export function indexRecord(topic: string, entries: IndexEntry[], origin?: string): OutRecord {
  const first = entries[0]!;
  return {
    topic,
    key: `${first.project_id}/${'kind' in first ? first.dataset_id : first.span_id}`,
    value: encodeEventRecord(entries),
    ...(origin === undefined ? {} : { headers: { origin } }),
  };
}
