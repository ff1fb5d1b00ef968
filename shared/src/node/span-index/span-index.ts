import type { Admin, Consumer } from 'kafkajs';
import { decodeEventRecord } from '../../contracts/event-records.js';
import { type DatasetIndexEntry, IndexEntry, type SpanIndexEntry } from '../../contracts/span-index.js';
import { evictOldest } from '../bounded-map.js';
import { KeptRunning, toKafkaAppError, withKafkaRetries } from '../kafka/index.js';
import type { Logger } from '../logger.js';
import type { WriteFences } from './fences.js';
import { InternedStrings } from './interned-strings.js';
import { PerProjectMaps } from './per-project-maps.js';

export interface KnownSpan {
  traceId: string;
  name?: string;
  parentId?: string | null;
  /** Newest acknowledged write to the span / to one of its metrics (event versions). */
  version?: number;
  metricsVersion?: number;
}

/** Newest acknowledged writes to a trace's spans and metrics. */
export interface TraceFence {
  spans: number;
  metrics: number;
}

export interface KnownDataset {
  name: string;
  version: number;
}

/** Traces remembered per project for list freshness, and for how long. */
const recentPerProject = 32;
const recentForMs = 30_000;

export interface SpanIndexOptions {
  topic: string;
  /** Built with `restartedByCaller`: the index restarts it after a crash. */
  consumer: Consumer;
  admin: Admin;
  /** Spans older than what is in memory, found in ClickHouse. */
  lookupStored: (projectId: string, spanId: string) => Promise<KnownSpan | undefined>;
  logger: Logger;
  /** Entries kept in memory; the oldest go first. */
  maxEntries: number;
  /** How far back the topic is replayed on start. */
  replayMs: number;
  /** Longest wait for this process to catch up with the topic before falling back to ClickHouse. */
  catchUpTimeoutMs: number;
  /** This process's id on the index records it writes (header `origin`): those it skips when read. */
  origin?: string;
  /** Told every acknowledged version seen, so this process's clock never falls behind another's. */
  onVersion?: (version: number) => void;
  /** Told about every record or entry that could not be read (it is skipped). */
  onMalformed?: () => void;
}

const keyOf = (projectId: string, id: string) => `${projectId}/${id}`;
const newest = (a: number | undefined, b: number | undefined) => Math.max(a ?? 0, b ?? 0) || undefined;

/** Map.set that keeps at most `max` entries, evicting the oldest written. */
function setBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key); // re-insert at the end: eviction is oldest-written first
  map.set(key, value);
  evictOldest(map, max);
}

/**
 * Span id → trace id for every span any ingest process acknowledged recently (docs/WRITE-PATH.md §2),
 * and the newest acknowledged write version per span, trace and dataset (the read fences, docs/READ-PATH.md).
 * Each process consumes the whole `span-index` topic with a group of its own. A miss waits until this
 * process has read up to the topic's end offsets as of the moment of the miss, so a parent acknowledged
 * anywhere before its child arrived is found; fences always catch up first, so a read sees writes
 * acknowledged by any process before it began.
 */
export class SpanIndex implements WriteFences {
  readonly #o: SpanIndexOptions;
  readonly #entries: PerProjectMaps<KnownSpan | null>;
  readonly #traces: PerProjectMaps<TraceFence>;
  readonly #datasets = new Map<string, KnownDataset>();
  /** Per project: traces written lately (trace id → newest span version, when), oldest first. */
  readonly #recent = new Map<string, Map<string, { version: number; at: number }>>();
  /** Next offset to read, per partition. */
  readonly #positions = new Map<number, bigint>();
  /** Trace ids, parent ids and names as one copy each (held by many entries). */
  readonly #strings: InternedStrings;
  #progress: (() => void)[] = [];
  #round: Promise<void> | undefined;
  #running = false;
  #kept: KeptRunning | undefined;

  constructor(options: SpanIndexOptions) {
    if (options.maxEntries < 1) throw new Error('SpanIndex: maxEntries must be >= 1');
    this.#o = options;
    this.#entries = new PerProjectMaps(options.maxEntries);
    this.#traces = new PerProjectMaps(options.maxEntries);
    // Trace ids are about a tenth of the entries; names few.
    this.#strings = new InternedStrings(Math.max(1_000, options.maxEntries / 8));
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Started, not stopped, and not crashed out of its group. */
  get running(): boolean {
    return this.#running && !this.#kept?.down;
  }

  async start(): Promise<void> {
    const { consumer, admin, topic } = this.#o;
    const since = Date.now() - this.#o.replayMs;
    const replayFrom = await withKafkaRetries('reading span-index offsets', () =>
      admin.fetchTopicOffsetsByTimestamp(topic, since),
    );
    await consumer.subscribe({ topic, fromBeginning: false });
    for (const { partition, offset } of replayFrom) {
      // kafkajs answers the high watermark for a partition with nothing newer than `since`.
      this.#positions.set(partition, BigInt(offset));
    }
    // Nothing is committed, so a consumer restarted after a crash is told where it was.
    this.#kept = await KeptRunning.start(
      consumer,
      {
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            // This process applied its own entries when Kafka acknowledged them (`remember`).
            if (this.#o.origin !== undefined && String(message.headers?.origin ?? '') === this.#o.origin)
              continue;
            this.#applyRecord(message.value);
          }
          if (batch.messages.length > 0)
            this.#positions.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
          for (const notify of this.#progress.splice(0)) notify();
        },
      },
      {
        logger: this.#o.logger,
        afterRun: () => {
          for (const [partition, offset] of this.#positions)
            consumer.seek({ topic, partition, offset: offset.toString() });
        },
      },
    );
    this.#running = true;
  }

  /**
   * A record holds one entry or several (one per write of a request). A malformed one is skipped and
   * counted: the index is a cache of what ingest acknowledged, never a reason to stop reading.
   */
  #applyRecord(value: Buffer | null): void {
    let entries: unknown[];
    try {
      entries = value ? decodeEventRecord(value.toString('utf8')) : [];
    } catch {
      this.#o.onMalformed?.();
      return;
    }
    for (const entry of entries) {
      const parsed = IndexEntry.safeParse(entry);
      if (!parsed.success) {
        this.#o.onMalformed?.();
        continue;
      }
      this.#o.onVersion?.(parsed.data.version);
      this.#apply(parsed.data);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#kept?.stop();
    await this.#o.consumer.disconnect();
  }

  /** Records a write this process just made (its index entry travels to the others through Kafka). */
  remember(entry: IndexEntry): void {
    this.#apply(entry);
  }

  async span(projectId: string, spanId: string): Promise<KnownSpan | null | undefined> {
    await this.#catchUp();
    return this.#entries.get(projectId, spanId);
  }

  async trace(projectId: string, traceId: string): Promise<TraceFence | undefined> {
    await this.#catchUp();
    return this.#traces.get(projectId, traceId);
  }

  async dataset(projectId: string, datasetId: string): Promise<KnownDataset | undefined> {
    await this.#catchUp();
    return this.#datasets.get(keyOf(projectId, datasetId));
  }

  async recentTraces(projectId: string): Promise<{ traceId: string; version: number }[]> {
    await this.#catchUp();
    const since = Date.now() - recentForMs;
    return [...(this.#recent.get(projectId)?.entries() ?? [])]
      .filter(([, r]) => r.at >= since)
      .map(([traceId, r]) => ({ traceId, version: r.version }))
      .reverse();
  }

  /** A dataset written recently, without waiting (writes check ClickHouse after a miss). */
  knownDataset(projectId: string, datasetId: string): KnownDataset | undefined {
    return this.#datasets.get(keyOf(projectId, datasetId));
  }

  async lookup(projectId: string, spanId: string): Promise<KnownSpan | undefined> {
    const local = this.#entries.get(projectId, spanId);
    if (local !== undefined) return local ?? undefined;
    await this.#catchUp();
    const caughtUp = this.#entries.get(projectId, spanId);
    if (caughtUp !== undefined) return caughtUp ?? undefined;
    return this.#o.lookupStored(projectId, spanId);
  }

  #apply(entry: IndexEntry): void {
    if ('kind' in entry) {
      this.#applyDataset(entry);
      return;
    }
    const { project_id: project, span_id: spanId } = entry;
    const strings = this.#strings;
    const traceId = strings.of(entry.trace_id);
    const trace = this.#traces.get(project, traceId) ?? { spans: 0, metrics: 0 };
    const metrics = entry.target === 'metrics';
    this.#traces.set(
      project,
      traceId,
      metrics
        ? { ...trace, metrics: Math.max(trace.metrics, entry.version) }
        : { ...trace, spans: Math.max(trace.spans, entry.version) },
    );
    if (!metrics) this.#rememberRecent(entry);
    const prev = this.#entries.get(project, spanId);
    // Deleted stays deleted (a write racing the delete is refused like a write to an unknown span),
    // unless the span is created again (a create's entry names its parent, even when null): the
    // writer then brings it back, and so does the index.
    const recreated = prev === null && entry.parent_id !== undefined && !entry.deleted;
    if (entry.deleted || (prev === null && !recreated)) {
      this.#entries.set(project, spanId, null);
      return;
    }
    const known = mergeKnown(prev ?? undefined, entry);
    known.traceId = strings.of(known.traceId);
    known.name = strings.of(known.name);
    known.parentId = strings.of(known.parentId);
    this.#entries.set(project, spanId, known);
  }

  #rememberRecent(entry: SpanIndexEntry): void {
    let traces = this.#recent.get(entry.project_id);
    if (!traces) {
      traces = new Map();
      setBounded(this.#recent, entry.project_id, traces, 10_000);
    }
    const prev = traces.get(entry.trace_id);
    setBounded(
      traces,
      entry.trace_id,
      { version: Math.max(prev?.version ?? 0, entry.version), at: Date.now() },
      recentPerProject,
    );
  }

  #applyDataset(entry: DatasetIndexEntry): void {
    const key = keyOf(entry.project_id, entry.dataset_id);
    const prev = this.#datasets.get(key);
    setBounded(
      this.#datasets,
      key,
      { name: entry.name, version: Math.max(prev?.version ?? 0, entry.version) },
      this.#o.maxEntries,
    );
  }

  /**
   * Misses that arrive together share one round; a round reads end offsets only after its members
   * joined, so nothing acknowledged before a member's miss can be missed by it.
   */
  #catchUp(): Promise<void> {
    this.#round ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.#round = undefined;
      return this.#waitForEnd();
    });
    return this.#round;
  }

  async #waitForEnd(): Promise<void> {
    let ends: { partition: number; high: string; low: string }[];
    try {
      ends = await this.#o.admin.fetchTopicOffsets(this.#o.topic);
    } catch (err) {
      this.#o.logger.warn(
        { err: toKafkaAppError(err, 'reading span-index offsets') },
        'span index catch-up skipped',
      );
      return;
    }
    const deadline = Date.now() + this.#o.catchUpTimeoutMs;
    const behind = () =>
      ends.some(
        ({ partition, high, low }) => high !== low && (this.#positions.get(partition) ?? -1n) < BigInt(high),
      );
    while (behind()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.#o.logger.warn({ topic: this.#o.topic }, 'span index still behind after catch-up timeout');
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#progress.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** Folds an index entry into what is known of the span; entries may arrive out of version order. */
function mergeKnown(prev: KnownSpan | undefined, entry: SpanIndexEntry): KnownSpan {
  if (entry.target === 'metrics') {
    return {
      ...(prev ?? { traceId: entry.trace_id }),
      metricsVersion: newest(prev?.metricsVersion, entry.version),
    };
  }
  const newer = entry.version >= (prev?.version ?? 0);
  return {
    traceId: entry.trace_id,
    name: (newer ? entry.name : undefined) ?? prev?.name ?? entry.name,
    parentId:
      entry.parent_id !== undefined && (newer || prev?.parentId === undefined)
        ? entry.parent_id
        : prev?.parentId,
    version: newest(prev?.version, entry.version),
    metricsVersion: prev?.metricsVersion,
  };
}
