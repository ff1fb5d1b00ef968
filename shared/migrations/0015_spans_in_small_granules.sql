-- Spans move to `spans_v2`: the same table with granules of at most 1 MiB instead of 10 MiB.
--
-- ClickHouse reads whole granules. A realistic span is about 9 KB, so a 10 MiB granule held about
-- 1,100 spans, and reading one trace (or one span) decompressed the input and output of every span
-- in its granules. On 200,000 spans of 9 KB (text made of English words, ZSTD(3), one merged part),
-- a trace of 20 spans took 16.6–18.6 ms p50 and 25–26 p95 in SQL with 10 MiB granules, 10.8–11.6 and
-- 13–14 with 1 MiB ones (docs/BENCHMARKS.md). `index_granularity_bytes` cannot be altered on an
-- existing table (READONLY_SETTING), hence a new one.
--
-- Upgrading, without losing a write: the table, then a view that forwards every insert into `spans`
-- (a writer of the previous version, still running) to `spans_v2`, then a copy of every row of
-- `spans`. A row written in between is copied twice, identically (same key and version: one under
-- FINAL). Writers must not overlap across this upgrade: a writer of the previous version reads
-- traces back from `spans`, which no longer holds what new writers store, so stop the old writers
-- before starting new ones (ingest keeps acknowledging into Kafka meanwhile; nothing is lost).
-- `spans` keeps its rows; `TRUNCATE TABLE spans` frees their space once no process of the previous
-- version runs.

CREATE TABLE IF NOT EXISTS spans_v2
(
    project_id        UUID,
    trace_id          UUID,
    span_id           UUID,
    parent_id         Nullable(UUID),
    name              LowCardinality(String),
    type              LowCardinality(String),
    start_time        DateTime64(6, 'UTC'),
    end_time          Nullable(DateTime64(6, 'UTC')),
    status            LowCardinality(String),
    error             Nullable(String) CODEC(ZSTD(3)),
    input             Nullable(String) CODEC(ZSTD(3)),
    output            Nullable(String) CODEC(ZSTD(3)),
    meta              Map(String, String) CODEC(ZSTD(3)),
    tags              Map(LowCardinality(String), String),
    model             LowCardinality(String),
    prompt_tokens     UInt32,
    completion_tokens UInt32,
    total_tokens      UInt32,
    cost              Nullable(Float64),
    score             Nullable(Float64),
    feedback_score    Nullable(Float64),
    feedback_comment  Nullable(String),
    received_at       DateTime64(6, 'UTC'),
    version           UInt64,
    deleted           UInt8 DEFAULT 0,
    applied_log       LowCardinality(String) DEFAULT '',
    applied_offset    Int64 DEFAULT -1,
    INDEX idx_span_id span_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_tag_keys mapKeys(tags) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_tag_values mapValues(tags) TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (project_id, trace_id, span_id)
SETTINGS index_granularity_bytes = 1048576;

CREATE MATERIALIZED VIEW IF NOT EXISTS spans_to_v2 TO spans_v2 AS
SELECT project_id, trace_id, span_id, parent_id, name, type, start_time, end_time, status, error, input, output,
       meta, tags, model, prompt_tokens, completion_tokens, total_tokens, cost, score, feedback_score,
       feedback_comment, received_at, version, deleted, applied_log, applied_offset
FROM spans;

INSERT INTO spans_v2 (project_id, trace_id, span_id, parent_id, name, type, start_time, end_time, status, error,
                      input, output, meta, tags, model, prompt_tokens, completion_tokens, total_tokens, cost, score,
                      feedback_score, feedback_comment, received_at, version, deleted, applied_log, applied_offset)
SELECT project_id, trace_id, span_id, parent_id, name, type, start_time, end_time, status, error, input, output,
       meta, tags, model, prompt_tokens, completion_tokens, total_tokens, cost, score, feedback_score,
       feedback_comment, received_at, version, deleted, applied_log, applied_offset
FROM spans;
