import {
  encodeJsonEachRow,
  InsertBody,
  type SpanMetricRow,
  type SpanRowToInsert,
  type StoredLines,
  storedTextColumns,
} from '@tracehouse/shared/node';
import { StateCache } from './state-cache.js';
import type { TraceState } from './trace-state.js';

/** What the writer needs of a cache of trace states (`traceStates`, `BatchWriter`). */
export interface TraceCache {
  get(key: string): TraceState | undefined;
  /** `lines`: the rows the batch stored, as stored, which a packing cache keeps instead of encoding. */
  set(key: string, state: TraceState, lines?: StoredRowLines): void;
  delete(key: string): void;
  clear(): void;
}

type TraceRow = { project_id: string; trace_id: string };

/** Where a stored row's line is: `copy[start, end)`. */
interface LineAt {
  copy: Buffer;
  start: number;
  end: number;
}

/**
 * The `JSONEachRow` line of each row a batch stored, copied out of its insert body before the body is
 * reused: one copy per trace and insert (the batch writer inserts a trace's rows side by side).
 */
export class StoredRowLines {
  readonly #lines = new Map<object, LineAt>();

  /** What to give the insert of `rows`. */
  keep(rows: readonly TraceRow[]): StoredLines {
    return (bytes, lineEnds) => {
      const start = (i: number) => (i === 0 ? 0 : lineEnds[i - 1]!);
      for (let i = 0; i < rows.length; ) {
        let j = i + 1;
        while (
          j < rows.length &&
          rows[j]!.trace_id === rows[i]!.trace_id &&
          rows[j]!.project_id === rows[i]!.project_id
        )
          j++;
        const from = start(i);
        const copy = Buffer.allocUnsafeSlow(lineEnds[j - 1]! - from);
        bytes.copy(copy, 0, from, lineEnds[j - 1]);
        for (let k = i; k < j; k++)
          this.#lines.set(rows[k]!, { copy, start: start(k) - from, end: lineEnds[k]! - from });
        i = j;
      }
    };
  }

  at(row: object): LineAt | undefined {
    return this.#lines.get(row);
  }
}

/** A trace held as its rows' `JSONEachRow` lines, and what else its state holds. */
export interface PackedTrace extends Omit<TraceState, 'spans' | 'metrics'> {
  spans: Buffer;
  metrics: Buffer;
}

/** What an entry costs besides its lines: the Map entry, the key, its objects. */
const entryOverhead = 400;

/**
 * The writer's trace cache, holding each trace as the lines its rows were inserted as, instead of as
 * the rows' objects. Every span a writer stores passes through this cache, and as objects they
 * outlived the young generation: the garbage collector copied and then marked each of them (in the
 * full bench the writer spent 114–162 µs of CPU per realistic span with that cache, 77–84 with none;
 * alone, 114–127 then and 98–111 packed: docs/BENCHMARKS.md). A packed trace is a few objects whatever its size. Packing a trace the batch
 * just inserted copies the bytes of its lines; rows it did not insert (a trace touched again) are
 * encoded. Unpacking parses the lines back into rows, inputs and outputs as strings, as rows read from
 * ClickHouse are, only when a later event touches the trace. The bound counts the bytes exactly.
 */
export class PackedTraceCache implements TraceCache {
  readonly #packed: StateCache<PackedTrace>;

  constructor(maxBytes: number) {
    this.#packed = new StateCache<PackedTrace>(
      maxBytes,
      (p) => p.spans.length + p.metrics.length + entryOverhead + 50 * p.applied.size,
    );
  }

  get size(): number {
    return this.#packed.size;
  }

  get bytes(): number {
    return this.#packed.bytes;
  }

  get(key: string): TraceState | undefined {
    const packed = this.#packed.get(key);
    if (!packed) return undefined;
    try {
      return unpackTrace(packed);
    } catch {
      // A line ClickHouse took but JSON.parse refuses (a token of a record not made by ingest, with a
      // raw control character in it): the trace is read back from ClickHouse instead, as if evicted.
      this.#packed.delete(key);
      return undefined;
    }
  }

  set(key: string, state: TraceState, lines?: StoredRowLines): void {
    this.#packed.set(key, packTrace(state, lines));
  }

  delete(key: string): void {
    this.#packed.delete(key);
  }

  clear(): void {
    this.#packed.clear();
  }
}

export function packTrace(trace: TraceState, lines?: StoredRowLines): PackedTrace {
  return {
    ...trace,
    applied: new Map(trace.applied),
    spans: packRows(trace.spans.values(), storedTextColumns, lines),
    metrics: packRows(trace.metrics.values(), [], lines),
  };
}

export function unpackTrace(packed: PackedTrace): TraceState {
  const trace: TraceState = {
    ...packed,
    applied: new Map(packed.applied),
    spans: new Map(),
    metrics: new Map(),
  };
  for (const row of unpackRows<SpanRowToInsert>(packed.spans)) trace.spans.set(row.span_id, row);
  for (const row of unpackRows<SpanMetricRow>(packed.metrics)) trace.metrics.set(row.metric_id, row);
  return trace;
}

/**
 * The rows' lines in one buffer. Lines that follow each other in one copy stay as they are: a trace
 * the batch inserted whole is its copy, with no other. Rows not stored by the batch are encoded.
 */
function packRows(rows: Iterable<object>, literalKeys: readonly string[], lines?: StoredRowLines): Buffer {
  const runs: LineAt[] = [];
  const unstored: object[] = [];
  for (const row of rows) {
    const line = lines?.at(row);
    if (!line) {
      unstored.push(row);
      continue;
    }
    const last = runs.at(-1);
    if (last && last.copy === line.copy && last.end === line.start) last.end = line.end;
    else runs.push({ ...line });
  }
  const pieces = runs.map((r) =>
    r.start === 0 && r.end === r.copy.length ? r.copy : r.copy.subarray(r.start, r.end),
  );
  // The encoded rows are a view of a scratch body: concat copies them out, once, with the rest.
  if (unstored.length > 0) pieces.push(encodeJsonEachRow(unstored, literalKeys, new InsertBody(4096)));
  return unstored.length === 0 && pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

function unpackRows<R>(lines: Buffer): R[] {
  const rows: R[] = [];
  for (let from = 0; from < lines.length; ) {
    const newline = lines.indexOf(0x0a, from); // a line's strings hold their newlines escaped
    const end = newline === -1 ? lines.length : newline;
    rows.push(JSON.parse(lines.toString('utf8', from, end)) as R);
    from = end + 1;
  }
  return rows;
}
