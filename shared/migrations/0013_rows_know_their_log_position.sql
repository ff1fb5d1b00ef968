-- Each span and metric row names the last Kafka record applied to it (`topic/partition` and offset), so
-- a writer that loads a trace from here skips the records its rows already reflect instead of applying
-- them again: a replay kept the row's fields but raised its version, and could tie with a later write
-- (docs/WRITE-PATH.md §3). Rows written before have none (-1) and are replayed onto, as before.
ALTER TABLE spans
    ADD COLUMN IF NOT EXISTS applied_log LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS applied_offset Int64 DEFAULT -1;

ALTER TABLE span_metrics
    ADD COLUMN IF NOT EXISTS applied_log LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS applied_offset Int64 DEFAULT -1;
