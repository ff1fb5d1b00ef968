-- Write path v2 (docs/WRITE-PATH.md §3): a writer takes a trace without any summary row for a new one
-- and writes its events without reading. Earlier versions wrote no summary for a trace whose spans were
-- all pending patches (no create yet), so give each such trace a tombstone summary (hidden from reads):
-- its stored rows are then read and merged, never overwritten. Idempotent: only traces without one.
INSERT INTO traces (project_id, trace_id, name, start_time, status, span_count, error_count, total_tokens,
                    total_cost, tags, received_at, spans_version, version, deleted)
SELECT project_id, trace_id, '', toDateTime64(0, 6, 'UTC'), 'unset', 0, 0, 0, 0, map(), max(received_at),
       max(version), 0, 1
FROM spans
WHERE (project_id, trace_id) NOT IN (SELECT project_id, trace_id FROM traces)
GROUP BY project_id, trace_id;
