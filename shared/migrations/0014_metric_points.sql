-- Metric analytics read `metric_points` (docs/READ-PATH.md §4): each live metric once, sorted by its
-- dimension and its span's start, which is what an aggregation filters and buckets by. They read
-- `span_metrics FINAL` until now, sorted by trace for the writer and for get-trace: an aggregation
-- read every metric of the project and FINAL merge-sorted their random ids across parts, which cost
-- 0.5 s on one merged part of 3.3 M metrics and 1.2 s on eight (docs/BENCHMARKS.md). Sorted by start,
-- parts written over time cover time ranges that barely intersect, so FINAL merges little, and the
-- window and dimension prune by primary key.
--
-- Nothing writes it directly: each insert into `span_metrics` adds its rows through the view below,
-- in the same INSERT. A row's key can change (its dimension updated, its span's start moved), and
-- ReplacingMergeTree only replaces rows of the same key, so the writer names the key it replaces
-- (`replaced_dimension`, `replaced_span_start_time`: the metric's key as stored before), and the
-- view deletes the point there. A writer of an earlier version, still running during a rolling
-- upgrade, names none: a metric it moves keeps a point at its old key until it is written again.
-- Rows with no dimension yet (an update that arrived before its create) are not points.
--
-- Upgrading: the columns, the table and the view first, then every live metric copied at its version
-- (a metric written in between is copied twice, identically).

ALTER TABLE span_metrics
    ADD COLUMN IF NOT EXISTS replaced_dimension       Nullable(String),
    ADD COLUMN IF NOT EXISTS replaced_span_start_time Nullable(DateTime64(6, 'UTC'));

CREATE TABLE IF NOT EXISTS metric_points
(
    project_id      UUID,
    dimension       LowCardinality(String),
    span_start_time DateTime64(6, 'UTC'),
    metric_id       UUID,
    trace_id        UUID,
    span_id         UUID,
    value           Float64,
    span_name       LowCardinality(String),
    span_tags       Map(LowCardinality(String), String),
    version         UInt64,
    deleted         UInt8
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (project_id, dimension, span_start_time, metric_id);

-- A point at the row's key, and a deleted one at the key it replaces when that differs.
CREATE MATERIALIZED VIEW IF NOT EXISTS span_metrics_to_points TO metric_points AS
SELECT project_id, tupleElement(point, 1) AS dimension, tupleElement(point, 2) AS span_start_time, metric_id,
       trace_id, span_id, value, span_name, span_tags, version, tupleElement(point, 3) AS deleted
FROM
(
    SELECT *, arrayFilter(p -> tupleElement(p, 1) != '', arrayConcat(
        [(toString(dimension), span_start_time, deleted)],
        if(isNotNull(replaced_dimension)
             AND (assumeNotNull(replaced_dimension), assumeNotNull(replaced_span_start_time))
                 != (toString(dimension), span_start_time),
           [(assumeNotNull(replaced_dimension), assumeNotNull(replaced_span_start_time), toUInt8(1))], [])
    )) AS points
    FROM span_metrics
)
ARRAY JOIN points AS point;

INSERT INTO metric_points (project_id, dimension, span_start_time, metric_id, trace_id, span_id, value, span_name,
                           span_tags, version, deleted)
SELECT project_id, dimension, span_start_time, metric_id, trace_id, span_id, value, span_name, span_tags, version, 0
FROM span_metrics FINAL
WHERE dimension != '';
