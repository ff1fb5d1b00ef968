-- At a steady load the writer inserts a part into each of these tables every few hundred milliseconds
-- (BATCH_MAX_DELAY_MS). With the default merge selector (base 5) the engine merged each new part into
-- a larger one almost at once: a minute of 1,236-span parts into spans_v2 left its largest part at merge
-- level 8–10, every row rewritten that many times. Base 10 waits until parts of a size add up to ten
-- times the largest before merging them (level 3–4), for fewer rewrites at the price of more live parts.
-- At 3,000 realistic spans/s the merges' CPU per span fell from 135–142 µs to 55–57, and ClickHouse's
-- whole share from 247–256 to 159–170 (docs/BENCHMARKS.md, 6 December).
ALTER TABLE spans_v2 MODIFY SETTING merge_selector_base = 10;
ALTER TABLE span_metrics MODIFY SETTING merge_selector_base = 10;
ALTER TABLE metric_points MODIFY SETTING merge_selector_base = 10;
ALTER TABLE trace_summaries MODIFY SETTING merge_selector_base = 10;
ALTER TABLE trace_index MODIFY SETTING merge_selector_base = 10;
