import type { ClickHouseClient } from '@clickhouse/client';
import type {
  SearchFilter,
  SearchRequest,
  SearchSort,
  SpanView,
  TraceListItem,
  TraceSummary,
} from '@tracehouse/shared';
import {
  pickedByIndex,
  SpanRow,
  TraceListRow,
  TraceRow,
  toClickHouseAppError,
  traceColumns,
  traceIndexReadSettings,
  traceListColumns,
  traceSummariesOf,
} from '@tracehouse/shared/node';
import { spanView, traceListItemFromSummary, traceListItemView, traceSummaryView } from '../domain/views.js';
import { decodeCursor, encodeCursor, filterDigest } from './cursor.js';
import { liveTrace, spanConditions, spanDurationMicros, traceConditions } from './filter-sql.js';
import { SqlParams } from './sql-params.js';
import { chTime, resolveWindow, type TimeWindow } from './window.js';

export interface SearchPage<T> {
  data: T[];
  next_cursor: string | null;
}

type Entity = 'spans' | 'traces';

/** How each entity is selected, sorted and turned into its API shape. */
const entities = {
  spans: {
    table: 'spans_v2',
    id: 'span_id',
    /** What identifies a row within the project (the table's key after project_id). */
    key: '(trace_id, span_id)',
    columns: '*',
    conditions: spanConditions,
    sortKey: { start_time: 'start_time', duration_ms: spanDurationMicros },
    keyType: { start_time: "DateTime64(6, 'UTC')", duration_ms: 'Int64' },
    view: (row: unknown) => spanView(SpanRow.parse(row)),
    settings: undefined,
  },
  traces: {
    table: 'trace_summaries',
    id: 'trace_id',
    key: 'trace_id',
    columns: traceColumns,
    conditions: traceConditions,
    sortKey: { start_time: 'start_time', duration_ms: 'ifNull(duration_ms, -1.0)' },
    keyType: { start_time: "DateTime64(6, 'UTC')", duration_ms: 'Float64' },
    /** Exports read whole summaries; pages read `trace_index` alone (see `#query`, `#traceListView`). */
    view: (row: unknown) => traceSummaryView(TraceRow.parse(row)),
    settings: traceIndexReadSettings,
  },
} as const;

/**
 * Span and trace search with keyset pagination, and streamed export of everything a filter matches.
 * Every value reaches ClickHouse as a query parameter.
 */
export interface SearchServiceOptions {
  /** A page stops adding rows once their JSON passes this many bytes (at least one row is sent). */
  maxPageBytes: number;
  /** ClickHouse settings for exports, which stream without a row cap (the client's caps are for pages). */
  exportSettings: Record<string, string | number>;
  now?: () => Date;
}

export class SearchService {
  readonly #now: () => Date;

  constructor(
    private readonly clickhouse: ClickHouseClient,
    private readonly options: SearchServiceOptions,
  ) {
    this.#now = options.now ?? (() => new Date());
  }

  searchSpans(projectId: string, req: SearchRequest): Promise<SearchPage<SpanView>> {
    return this.#search('spans', projectId, req) as Promise<SearchPage<SpanView>>;
  }

  searchTraces(projectId: string, req: SearchRequest): Promise<SearchPage<TraceListItem>> {
    return this.#search('traces', projectId, req) as Promise<SearchPage<TraceListItem>>;
  }

  /**
   * The SQL for one page, or for an export (every match when `limit` is undefined). Trace pages read
   * `trace_index` alone (previews); exports read whole summaries.
   */
  #query(
    purpose: 'page' | 'export',
    entity: Entity,
    projectId: string,
    filter: SearchFilter,
    window: TimeWindow,
    sort: SearchSort,
    after?: { key: string; id: string },
    limit?: number,
  ): { query: string; params: Record<string, unknown> } {
    const e = entities[entity];
    const p = new SqlParams();
    const where = e.conditions(filter, projectId, window, p);
    const field = sort.replace('-', '') as 'start_time' | 'duration_ms';
    const desc = sort.startsWith('-');
    const key = e.sortKey[field];
    if (after) {
      const keyValue = field === 'start_time' ? chTime(after.key) : after.key;
      where.push(
        `(${key}, ${e.id}) ${desc ? '<' : '>'} (${p.add(keyValue, e.keyType[field])}, ${p.add(after.id, 'UUID')})`,
      );
    }
    const dir = desc ? 'DESC' : 'ASC';
    const order = `ORDER BY ${key} ${dir}, ${e.id} ${dir}`;
    const matching = `FROM ${e.table} FINAL WHERE ${where.join(' AND ')}`;
    const select = `SELECT ${e.columns}, toString(${key}) AS sort_key, toString(${e.id}) AS sort_id`;
    if (limit === undefined) return { query: `${select} ${matching} ${order}`, params: p.values };
    const pageSize = p.add(limit, 'UInt32');
    if (entity === 'traces') {
      const indexWhere = where.filter((c) => c !== liveTrace).join(' AND ');
      if (purpose === 'page') {
        // A page of traces from `trace_index` alone: it holds every column a result shows (the root's
        // input and output as previews), sorted by start time, so ClickHouse stops at the page's end.
        const query = `SELECT ${traceListColumns}, toString(${key}) AS sort_key, toString(${e.id}) AS sort_id
          FROM trace_index FINAL WHERE ${indexWhere} ${order} LIMIT ${pageSize}`;
        return { query, params: p.values };
      }
      // An export's first `limit` traces, picked in the index, as whole summaries. The outer query
      // repeats the conditions: a summary rewritten in between is exported only if it still matches.
      const picked = pickedByIndex({ where: indexWhere, order, limit: pageSize });
      return { query: `${select} ${matching} AND ${picked} ${order}`, params: p.values };
    }
    // A page in two steps: its keys from the light columns, then whole rows for those keys only. Under
    // FINAL, ClickHouse reads every named column of every row in range (no PREWHERE), so naming input
    // and output only for the page's rows keeps a search over millions of rows from reading them all.
    // The outer query repeats the conditions: a row rewritten in between is shown only if it still
    // matches.
    const query = `${select} ${matching}
      AND ${e.key} IN (SELECT ${e.key} ${matching} ${order} LIMIT ${pageSize})
      ${order}`;
    return { query, params: p.values };
  }

  async #search(entity: Entity, projectId: string, req: SearchRequest): Promise<SearchPage<unknown>> {
    const digest = filterDigest(req.filter);
    const cursor =
      req.cursor === undefined ? undefined : decodeCursor(req.cursor, { sort: req.sort, filter: digest });
    const window = cursor?.window ?? resolveWindow(req.filter, this.#now());
    const { query, params } = this.#query(
      'page',
      entity,
      projectId,
      req.filter,
      window,
      req.sort,
      cursor,
      req.limit + 1,
    );
    let rows: (Record<string, unknown> & { sort_key: string; sort_id: string })[];
    try {
      const rs = await this.clickhouse.query({
        query,
        query_params: params,
        format: 'JSONEachRow',
        clickhouse_settings: entities[entity].settings,
      });
      rows = await rs.json();
    } catch (err) {
      throw toClickHouseAppError(err, `searching ${entity}`);
    }
    const candidates = rows.slice(0, req.limit);
    const view: (row: unknown) => unknown =
      entity === 'traces' ? await this.#traceListView(projectId, candidates) : entities[entity].view;
    const { data, used } = withinBytes(candidates, view, this.options.maxPageBytes);
    // More follows when ClickHouse had another row, or the byte budget cut the page short.
    const more = rows.length > used;
    const last = rows[used - 1];
    const field = req.sort.replace('-', '');
    return {
      data,
      next_cursor:
        more && last
          ? encodeCursor({
              sort: req.sort,
              // Times travel as ISO in the cursor; other keys as ClickHouse printed them.
              key: field === 'start_time' ? `${last.sort_key.replace(' ', 'T')}Z` : last.sort_key,
              id: last.sort_id,
              window,
              filter: digest,
            })
          : null,
    };
  }

  /**
   * How rows of `trace_index` become results. A row an earlier version left (`complete = 0`) is shown
   * as its trace's summary, and only if that summary still starts where the row is: otherwise the
   * trace moved and is listed at its new start (the page may then come out shorter; its cursor still
   * continues after the row).
   */
  async #traceListView(
    projectId: string,
    rows: unknown[],
  ): Promise<(row: unknown) => TraceListItem | undefined> {
    const listRows = new Map(rows.map((r) => [r, TraceListRow.parse(r)]));
    const incomplete = [...listRows.values()].filter((r) => r.complete === 0).map((r) => r.trace_id);
    const summaries = await traceSummariesOf(this.clickhouse, projectId, incomplete);
    const summaryOf = new Map(summaries.map((s) => [s.trace_id, s]));
    return (row) => {
      const r = listRows.get(row);
      if (r === undefined) return undefined;
      if (r.complete === 1) return traceListItemView(r);
      const summary = summaryOf.get(r.trace_id);
      return summary?.start_time === r.start_time ? traceListItemFromSummary(summary) : undefined;
    };
  }

  /** Every row the filter matches, oldest first, streamed from ClickHouse (never all in memory). */
  async *export(
    entity: Entity,
    projectId: string,
    filter: SearchFilter,
    limit?: number,
  ): AsyncGenerator<SpanView | TraceSummary> {
    const window = resolveWindow(filter, this.#now());
    const { query, params } = this.#query(
      'export',
      entity,
      projectId,
      filter,
      window,
      'start_time',
      undefined,
      limit,
    );
    let rs: Awaited<ReturnType<ClickHouseClient['query']>>;
    try {
      rs = await this.clickhouse.query({
        query,
        query_params: params,
        format: 'JSONEachRow',
        clickhouse_settings: this.options.exportSettings,
      });
    } catch (err) {
      throw toClickHouseAppError(err, `exporting ${entity}`);
    }
    for await (const rows of rs.stream()) {
      for (const row of rows) yield entities[entity].view(row.json()) as SpanView | TraceSummary;
    }
  }
}

/**
 * Views of rows, in order, until their JSON passes `maxBytes`; always at least one row, so a page
 * makes progress. A row whose view is `undefined` is passed over. `used` is how many rows were
 * consumed (the cursor continues after the last of them).
 */
export function withinBytes<R, V>(
  rows: R[],
  view: (row: R) => V | undefined,
  maxBytes: number,
): { data: V[]; used: number } {
  const data: V[] = [];
  let bytes = 0;
  let used = 0;
  for (const row of rows) {
    const value = view(row);
    if (value !== undefined) {
      bytes += Buffer.byteLength(JSON.stringify(value)) + 1;
      if (data.length > 0 && bytes > maxBytes) break;
      data.push(value);
    }
    used++;
  }
  return { data, used };
}
