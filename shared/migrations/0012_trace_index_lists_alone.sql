-- Trace search pages from `trace_index` alone (docs/READ-PATH.md §3). Until now a page took its keys
-- from the index, then fetched each trace's summary: at 10 M spans that second step cost more than the
-- first (whole root inputs and outputs, and a join of the two reads). The index now carries every
-- column a list shows, with the first 256 characters of the root's input and output instead of the
-- whole texts (`GET /v2/traces/{id}` still returns them whole).
--
-- An index row is then trusted as it is, so no trace may keep a row at a start it has left. Writers
-- name the start they replace (0011), but a writer of the version before 0011, still running during a
-- rolling upgrade, writes `traces`, forwarded by a view that could not: the view now looks the start
-- up in `trace_summaries`. Rows written before this migration have `complete = 0`: they lack the list
-- columns, and one forwarded before now may sit at a start its trace has left. Reads show such a row
-- as its summary, and only if the summary still starts there; the live traces are indexed again below,
-- so that is only a row a trace left behind, or one written while this file ran.
--
-- Upgrading: columns first, then the views, then the live traces indexed again from their summaries at
-- the same version (the later row wins a tie in ReplacingMergeTree). A summary written in between is
-- indexed twice, identically. Running this file again (an interrupted start) has the same effect.

ALTER TABLE trace_index
    ADD COLUMN IF NOT EXISTS root_span_id    Nullable(UUID),
    ADD COLUMN IF NOT EXISTS end_time        Nullable(DateTime64(6, 'UTC')),
    ADD COLUMN IF NOT EXISTS span_count      UInt32,
    ADD COLUMN IF NOT EXISTS error_count     UInt32,
    ADD COLUMN IF NOT EXISTS total_tokens    UInt64,
    ADD COLUMN IF NOT EXISTS total_cost      Float64,
    -- The first 256 characters of the root's input and output as the API shows them (a JSON string
    -- as its text, any other value as its JSON), and whether there was more.
    ADD COLUMN IF NOT EXISTS input_preview    Nullable(String) CODEC(ZSTD(3)),
    ADD COLUMN IF NOT EXISTS input_truncated  UInt8,
    ADD COLUMN IF NOT EXISTS output_preview   Nullable(String) CODEC(ZSTD(3)),
    ADD COLUMN IF NOT EXISTS output_truncated UInt8,
    ADD COLUMN IF NOT EXISTS complete         UInt8 DEFAULT 0;

-- As in 0011 (a live row at the start, a deleted row at the start it replaces), plus the list columns.
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
           [(assumeNotNull(replaced_start_time), toUInt8(1))], [])
    ) AS entries,
    if(startsWith(input, '"'), JSONExtractString(input), input) AS input_text,
    if(startsWith(output, '"'), JSONExtractString(output), output) AS output_text
    FROM trace_summaries
)
ARRAY JOIN entries AS entry;

-- A summary a writer of the version before 0011 writes to `traces` names the start it replaces: where
-- the trace's newest summary is (in a view, `traces` is the inserted block, so the lookup reads only
-- its traces). A trace new to `trace_summaries` replaces nothing.
ALTER TABLE traces_to_trace_summaries MODIFY QUERY
SELECT project_id, trace_id, root_span_id, name, start_time, end_time, duration_ms, status, span_count,
       error_count, total_tokens, total_cost, input, output, tags, received_at, spans_version, version, deleted,
       stored.indexed_start AS replaced_start_time
FROM traces
LEFT JOIN
(
    SELECT project_id, trace_id,
           if(tupleElement(newest, 1) = 0, tupleElement(newest, 2), NULL) AS indexed_start
    FROM
    (
        SELECT project_id, trace_id, argMax((deleted, start_time), version) AS newest
        FROM trace_summaries
        WHERE (project_id, trace_id) IN (SELECT project_id, trace_id FROM traces)
        GROUP BY project_id, trace_id
    )
) AS stored USING (project_id, trace_id);

-- Every live trace's newest summary, indexed again at its start with the list columns. Only the newest
-- summary: a row an earlier version left at an older start stays incomplete, and reads pass over it.
INSERT INTO trace_index (project_id, start_time, trace_id, name, status, duration_ms, tags, version, deleted,
                         root_span_id, end_time, span_count, error_count, total_tokens, total_cost,
                         input_preview, input_truncated, output_preview, output_truncated, complete)
SELECT project_id, start_time, trace_id, name, status, duration_ms, tags, version, 0, root_span_id, end_time,
       span_count, error_count, total_tokens, total_cost, substringUTF8(input_text, 1, 256),
       toUInt8(ifNull(lengthUTF8(input_text) > 256, 0)), substringUTF8(output_text, 1, 256),
       toUInt8(ifNull(lengthUTF8(output_text) > 256, 0)), 1
FROM
(
    SELECT *, if(startsWith(input, '"'), JSONExtractString(input), input) AS input_text,
              if(startsWith(output, '"'), JSONExtractString(output), output) AS output_text
    FROM trace_summaries FINAL
    WHERE deleted = 0
);
