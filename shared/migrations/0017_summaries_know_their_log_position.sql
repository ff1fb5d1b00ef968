-- A trace summary names the last Kafka record it reflects, so its version can follow the trace's log
-- instead of counting summary writes (docs/WRITE-PATH.md §3, "Summary versions"): a summary that
-- reflects more of the log gets a higher version whichever writer computed it. Before, a writer that
-- stalled past its session timeout could store a stale summary at the same version as the new owner's
-- (it counted one write from the same base), and, inserted last, it won.
--
-- `passed_start_times`: the starts the trace had after a record between this summary and the one
-- before, other than both. The view deletes the trace's index row at each, at this summary's version,
-- so an index row a stalled writer adds at such a start later loses to it.
--
-- Rows written before have no log (''), and the next summary of their trace starts a new count.
ALTER TABLE trace_summaries
    ADD COLUMN IF NOT EXISTS applied_log LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS applied_offset Int64 DEFAULT -1,
    ADD COLUMN IF NOT EXISTS passed_start_times Array(DateTime64(6, 'UTC'));

-- As in 0012 (a live row at the start, a deleted row at the start it replaces), plus a deleted row at
-- each start passed.
ALTER TABLE trace_summaries_to_index MODIFY QUERY
SELECT project_id, tupleElement(entry, 1) AS start_time, trace_id, name, status, duration_ms, tags, version,
       tupleElement(entry, 2) AS deleted, root_span_id, end_time, span_count, error_count, total_tokens,
       total_cost, substringUTF8(input_text, 1, 256) AS input_preview,
       toUInt8(ifNull(lengthUTF8(input_text) > 256, 0)) AS input_truncated,
       substringUTF8(output_text, 1, 256) AS output_preview,
       toUInt8(ifNull(lengthUTF8(output_text) > 256, 0)) AS output_truncated,
       toUInt8(1) AS complete
FROM
(
    SELECT *, arrayConcat(
        if(deleted = 0, [(start_time, toUInt8(0))], []),
        if(isNotNull(replaced_start_time) AND (deleted = 1 OR assumeNotNull(replaced_start_time) != start_time),
           [(assumeNotNull(replaced_start_time), toUInt8(1))], []),
        arrayMap(s -> (s, toUInt8(1)),
                 arrayFilter(s -> deleted = 1 OR s != start_time, passed_start_times))
    ) AS entries,
    if(startsWith(input, '"'), JSONExtractString(input), input) AS input_text,
    if(startsWith(output, '"'), JSONExtractString(output), output) AS output_text
    FROM trace_summaries
)
ARRAY JOIN entries AS entry;
