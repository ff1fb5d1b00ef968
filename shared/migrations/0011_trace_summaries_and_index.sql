-- Trace search at 10 M spans (docs/READ-PATH.md §3, docs/BENCHMARKS.md). Two changes to how summaries
-- are stored, neither possible on `traces` in place:
--
-- 1. `trace_summaries` replaces `traces` with granules of at most 256 KiB. A summary carries its root
--    span's input and output (9 KB on average with realistic payloads), so the default 10 MiB granules
--    held about 1,200 rows: fetching one search page (51 summaries by trace id) decompressed 51 granules
--    of 10 MiB. `index_granularity_bytes` cannot be altered on an existing table, hence a new one.
-- 2. `trace_index` holds each live trace's light columns sorted by start time, so a search reads the
--    newest traces first and stops at the page's end (read in order, also under FINAL) instead of
--    reading the tags of every trace in the window. Its sorting key holds start_time, which can move
--    (a span starting earlier arrives later): the writer names the start it replaces
--    (`replaced_start_time`), and the view below turns that into a deleted row at the old key.
--
-- Upgrading: `traces` stays, with views forwarding whatever a writer of the previous version still
-- inserts there during a rolling upgrade, then the rows are copied. Views first, then the copy: a row
-- inserted in between arrives twice, at the same version, and ReplacingMergeTree keeps one. Running this
-- file again (an interrupted start) copies again, to the same effect. A forwarded row cannot name the
-- start it replaces, so until the new writers take over, a trace whose start moves keeps an index row
-- at its old start; reads check each index row against the summary, so it is never shown there. A later
-- release drops `traces` and the view forwarding from it.

CREATE TABLE IF NOT EXISTS trace_summaries
(
    project_id    UUID,
    trace_id      UUID,
    root_span_id  Nullable(UUID),
    name          LowCardinality(String),
    start_time    DateTime64(6, 'UTC'),
    end_time      Nullable(DateTime64(6, 'UTC')),
    duration_ms   Nullable(Float64),
    status        LowCardinality(String),
    span_count    UInt32,
    error_count   UInt32,
    total_tokens  UInt64,
    total_cost    Float64,
    input         Nullable(String) CODEC(ZSTD(3)),
    output        Nullable(String) CODEC(ZSTD(3)),
    -- Union of the spans' tags (root span wins on conflicts), so trace search filters by any span's tags.
    tags          Map(LowCardinality(String), String),
    received_at   DateTime64(6, 'UTC'),
    -- The newest span version folded into the summary (read fences, docs/READ-PATH.md).
    spans_version UInt64 DEFAULT 0,
    version       UInt64,
    deleted       UInt8 DEFAULT 0,
    -- The start time this trace's previous summary was indexed under, when this row moves it (else
    -- NULL): only for the view into `trace_index`.
    replaced_start_time Nullable(DateTime64(6, 'UTC')),
    INDEX idx_start start_time TYPE minmax GRANULARITY 1,
    INDEX idx_tag_keys mapKeys(tags) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_tag_values mapValues(tags) TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (project_id, trace_id)
SETTINGS index_granularity_bytes = 262144;

-- Live traces by start time: what trace search and trace lists filter and sort on, without input and
-- output. A deleted row hides the trace at that start (it moved, or has no live span any more).
CREATE TABLE IF NOT EXISTS trace_index
(
    project_id  UUID,
    start_time  DateTime64(6, 'UTC'),
    trace_id    UUID,
    name        LowCardinality(String),
    status      LowCardinality(String),
    duration_ms Nullable(Float64),
    tags        Map(LowCardinality(String), String),
    version     UInt64,
    deleted     UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (project_id, start_time, trace_id);

-- Each summary insert indexes the trace in the same INSERT: a live row at its start, and a deleted row
-- at the start it replaces. A tombstone summary (no live span) only deletes.
CREATE MATERIALIZED VIEW IF NOT EXISTS trace_summaries_to_index TO trace_index AS
SELECT project_id, tupleElement(entry, 1) AS start_time, trace_id, name, status, duration_ms, tags, version,
       tupleElement(entry, 2) AS deleted
FROM
(
    SELECT *, arrayConcat(
        if(deleted = 0, [(start_time, toUInt8(0))], []),
        if(isNotNull(replaced_start_time) AND (deleted = 1 OR assumeNotNull(replaced_start_time) != start_time),
           [(assumeNotNull(replaced_start_time), toUInt8(1))], [])
    ) AS entries
    FROM trace_summaries
)
ARRAY JOIN entries AS entry;

CREATE MATERIALIZED VIEW IF NOT EXISTS traces_to_trace_summaries TO trace_summaries AS
SELECT project_id, trace_id, root_span_id, name, start_time, end_time, duration_ms, status, span_count,
       error_count, total_tokens, total_cost, input, output, tags, received_at, spans_version, version, deleted
FROM traces;

-- Live traces at their newest version (one index row each), then every tombstone: FINAL hides them, and
-- a tombstone older than a live version loses to it. Copying every version instead would index a
-- trace at each start it ever had.
INSERT INTO trace_summaries (project_id, trace_id, root_span_id, name, start_time, end_time, duration_ms, status, span_count, error_count, total_tokens, total_cost, input, output, tags, received_at, spans_version, version, deleted)
SELECT project_id, trace_id, root_span_id, name, start_time, end_time, duration_ms, status, span_count,
       error_count, total_tokens, total_cost, input, output, tags, received_at, spans_version, version, deleted
FROM traces FINAL;

INSERT INTO trace_summaries (project_id, trace_id, root_span_id, name, start_time, end_time, duration_ms, status, span_count, error_count, total_tokens, total_cost, input, output, tags, received_at, spans_version, version, deleted)
SELECT project_id, trace_id, root_span_id, name, start_time, end_time, duration_ms, status, span_count,
       error_count, total_tokens, total_cost, input, output, tags, received_at, spans_version, version, deleted
FROM traces
WHERE deleted = 1;
