-- A bloom filter on `trace_id` in every granule of `spans_v2`, so that reading one trace reads fewer
-- granules that do not hold it.
--
-- The table is ordered by (project_id, trace_id, span_id) and trace ids are random, so every part's
-- primary index brackets any trace id with a granule, whether or not the part holds that trace: a
-- trace read under FINAL read a 1 MiB granule of other spans' input and output in every part. The
-- filter lets ClickHouse drop those, FINAL included (`use_skip_indexes_if_final` and its exact mode,
-- on by default, which widens the kept ranges to newer parts' overlapping ones so FINAL stays
-- correct). At 10 M stored realistic spans in 7 parts: 280 rows read per trace instead of 970
-- (docs/BENCHMARKS.md). `span_metrics` gets none: its 8,192-row granules span so many traces that the
-- exact mode widens the ranges back to every part, and it read as many rows with the filter as without.
--
-- New parts get the index as they are written; MATERIALIZE INDEX builds it for parts already stored,
-- as a background mutation (it returns at once; until it reaches a part, that part is read as before).

ALTER TABLE spans_v2 ADD INDEX IF NOT EXISTS idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1;

ALTER TABLE spans_v2 MATERIALIZE INDEX idx_trace_id;
