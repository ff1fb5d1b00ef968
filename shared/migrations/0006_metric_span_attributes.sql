-- Metric analytics bucket and filter by their span's start time, name and tags. Joining every metric to
-- `spans FINAL` cost seconds at 10 M spans (docs/BENCHMARKS.md), so the writer, which holds the whole
-- trace, copies those three onto each metric row, and rewrites a span's metrics when they change.
ALTER TABLE span_metrics
    ADD COLUMN IF NOT EXISTS span_name LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS span_start_time DateTime64(6, 'UTC') DEFAULT toDateTime64(0, 6, 'UTC'),
    ADD COLUMN IF NOT EXISTS span_tags Map(LowCardinality(String), String);

-- Metrics written before: the same rows (same version) with their span's attributes, which replace them.
INSERT INTO span_metrics (project_id, trace_id, span_id, metric_id, dimension, value, comment, created_at,
                          received_at, version, deleted, span_name, span_start_time, span_tags)
SELECT m.project_id, m.trace_id, m.span_id, m.metric_id, m.dimension, m.value, m.comment, m.created_at,
       m.received_at, m.version, m.deleted, s.name, s.start_time, s.tags
FROM span_metrics AS m FINAL
INNER JOIN spans AS s FINAL ON m.project_id = s.project_id AND m.trace_id = s.trace_id AND m.span_id = s.span_id
WHERE s.name != '';
