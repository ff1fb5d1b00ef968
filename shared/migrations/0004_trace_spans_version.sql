-- The newest span version folded into a trace summary, so a read can tell whether the summary already
-- reflects a write it knows was acknowledged (read-your-writes for trace lists, docs/READ-PATH.md).
ALTER TABLE traces ADD COLUMN IF NOT EXISTS spans_version UInt64 DEFAULT 0;
