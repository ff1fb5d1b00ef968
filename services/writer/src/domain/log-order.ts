/**
 * Events of one trace travel on one Kafka partition (keyed by trace id), and the writer applies them
 * in the partition's order: the order ingest acknowledged them, whatever the clocks of the ingest
 * processes said (docs/WRITE-PATH.md §3). Stored rows are `ReplacingMergeTree(version)`, so each new
 * state of an entity must carry a higher version than the one it replaces. The version is the event's
 * (microseconds at ingest, so reads can wait for an acknowledged write) unless the previous state's is
 * not lower, then one more. The result depends only on the previous row and the event, so two writers
 * that apply the same events to the same row write the same row at the same version, and a writer
 * replaying more of the log always ends at a higher version than one that saw less.
 */
export const nextVersion = (previous: number, eventVersion: number): number =>
  Math.max(previous + 1, eventVersion);
