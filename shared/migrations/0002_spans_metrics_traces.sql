-- Spans, their metrics and per-trace summaries. Design notes: docs/WRITE-PATH.md.
--
-- Every row is a complete, merged state of one entity at `version` (microseconds at the ingest that
-- accepted the newest event folded into it). ReplacingMergeTree(version, deleted) keeps the highest
-- version per sorting key, so a redelivered event rewrites an identical or older row and disappears
-- in `FINAL` reads; `deleted = 1` rows hide the entity. Sorting keys hold only fields that never change
-- for an entity (project, trace, id), so every version of a span lands on the same key. There is no
-- time partitioning on purpose: versions of one entity must share a partition to be replaced, and no
-- timestamp of a span is both known at its first write and immutable (start_time can be patched).

CREATE TABLE IF NOT EXISTS spans
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
    -- JSON text of the value the client sent; the largest columns, so compressed hardest.
    input             Nullable(String) CODEC(ZSTD(3)),
    output            Nullable(String) CODEC(ZSTD(3)),
    -- meta values are JSON text, so `meta['k'] = '"v"'` and numbers both filter exactly.
    meta              Map(String, String) CODEC(ZSTD(3)),
    -- Map rather than parallel arrays: same storage (keys and values are two arrays underneath),
    -- but `tags['env'] = 'prod'` reads naturally and the bloom filters below cover keys and values.
    tags              Map(LowCardinality(String), String),
    model             LowCardinality(String),
    prompt_tokens     UInt32,
    completion_tokens UInt32,
    total_tokens      UInt32,
    cost              Nullable(Float64),
    score             Nullable(Float64),
    feedback_score    Nullable(Float64),
    feedback_comment  Nullable(String),
    -- When ingest acknowledged the newest event folded into this row.
    received_at       DateTime64(6, 'UTC'),
    version           UInt64,
    deleted           UInt8 DEFAULT 0,
    INDEX idx_span_id span_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_tag_keys mapKeys(tags) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_tag_values mapValues(tags) TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (project_id, trace_id, span_id);

CREATE TABLE IF NOT EXISTS span_metrics
(
    project_id  UUID,
    trace_id    UUID,
    span_id     UUID,
    metric_id   UUID,
    dimension   LowCardinality(String),
    value       Float64,
    comment     Nullable(String),
    created_at  DateTime64(6, 'UTC'),
    received_at DateTime64(6, 'UTC'),
    version     UInt64,
    deleted     UInt8 DEFAULT 0,
    INDEX idx_metric_id metric_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_dimension dimension TYPE set(256) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (project_id, trace_id, span_id, metric_id);

-- One row per trace, recomputed by the writer from `spans FINAL` after each batch that touched the
-- trace, so listing traces never scans every span. `version` is when it was recomputed.
CREATE TABLE IF NOT EXISTS traces
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
    version       UInt64,
    deleted       UInt8 DEFAULT 0,
    INDEX idx_start start_time TYPE minmax GRANULARITY 1,
    INDEX idx_tag_keys mapKeys(tags) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_tag_values mapValues(tags) TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (project_id, trace_id);
