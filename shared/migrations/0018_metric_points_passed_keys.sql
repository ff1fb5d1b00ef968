-- A metric row names every key (dimension, span start) its metric had after a record between the row
-- before it and this one, other than both (`passed_points`), and the view deletes the metric's point at
-- each, at this row's version: a writer stalled past its session timeout that stores its row late, from
-- less of the log (a lower version), cannot leave a point at a key the metric has left
-- (docs/WRITE-PATH.md §3, as 0017 does for trace starts).
ALTER TABLE span_metrics
    ADD COLUMN IF NOT EXISTS passed_points Array(Tuple(String, DateTime64(6, 'UTC')));

-- As in 0014 (a point at the row's key, a deleted one at the key it replaces), plus a deleted one at
-- each key passed.
ALTER TABLE span_metrics_to_points MODIFY QUERY
SELECT project_id, tupleElement(point, 1) AS dimension, tupleElement(point, 2) AS span_start_time, metric_id,
       trace_id, span_id, value, span_name, span_tags, version, tupleElement(point, 3) AS deleted
FROM
(
    SELECT *, arrayFilter(p -> tupleElement(p, 1) != '', arrayConcat(
        [(toString(dimension), span_start_time, deleted)],
        if(isNotNull(replaced_dimension)
             AND (assumeNotNull(replaced_dimension), assumeNotNull(replaced_span_start_time))
                 != (toString(dimension), span_start_time),
           [(assumeNotNull(replaced_dimension), assumeNotNull(replaced_span_start_time), toUInt8(1))], []),
        arrayMap(p -> (tupleElement(p, 1), tupleElement(p, 2), toUInt8(1)),
                 arrayFilter(p -> (tupleElement(p, 1), tupleElement(p, 2)) != (toString(dimension), span_start_time),
                             passed_points))
    )) AS points
    FROM span_metrics
)
ARRAY JOIN points AS point;
