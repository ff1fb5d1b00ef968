import {
  encodeEventRecord,
  type IndexEntry,
  type MetricEvent,
  projectHeader,
  type SpanEvent,
} from '@tracehouse/shared';
import type { KnownSpan } from '@tracehouse/shared/node';
import type { OutRecord } from './produce-batcher.js';

/** What one write will send, and what it answers once Kafka has it. */
export interface Plan<T> {
  records: OutRecord[];
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
  records: OutRecord[],
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

/**
 * A span or metric event's record: keyed by its trace, so a trace's events stay in order on one
 * partition; its project in a header, so a consumer that wants nothing of a project (the alerter,
 * for projects without rules) skips the record without parsing it.
 */
export function traceEventRecord(topic: string, event: SpanEvent | MetricEvent): OutRecord {
  return {
    topic,
    key: event.trace_id,
    value: JSON.stringify(event),
    headers: { [projectHeader]: event.project_id },
  };
}

/**
 * The span and metric events of one request, one record per trace (docs/WRITE-PATH.md §1): the values
 * are already JSON, so they are joined into an array without encoding the events again.
 */
export function groupByTrace(records: OutRecord[], spansTopic: string): OutRecord[] {
  const out: OutRecord[] = [];
  const byTrace = new Map<string, { first: OutRecord; values: string[] }>();
  for (const r of records) {
    if (r.topic !== spansTopic) {
      out.push(r);
      continue;
    }
    // Two projects may use the same trace id: their events never share a record.
    const group = `${r.headers?.[projectHeader] ?? ''}/${r.key}`;
    const found = byTrace.get(group);
    if (found) found.values.push(r.value);
    else byTrace.set(group, { first: r, values: [r.value] });
  }
  for (const { first, values } of byTrace.values()) out.push({ ...first, value: `[${values.join(',')}]` });
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
