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

/**
 * The version of a trace summary that reflects the trace's log up to `at`, after `previous` (the
 * stored summary this one follows). Within one log a summary's version is its first summary's base
 * plus the offset it reflects, so whichever writer computes a summary, one that reflects more of the
 * log has a higher version: a writer stalled past its session timeout and resumed cannot store a
 * summary that beats the new owner's (docs/WRITE-PATH.md §3). Counting summary writes instead gave
 * both one more than their common base. A summary of another log (or none, or one written before
 * migration 0017) starts the count after its own version.
 */
export function summaryVersionAt(
  previous: { version: number; log: string; offset: number },
  at: { log: string; offset: bigint },
): number {
  const offset = Number(at.offset);
  if (previous.log !== at.log) return previous.version + 1 + offset;
  return previous.version + Math.max(1, offset - previous.offset);
}

/** Whether a summary at `at` would reflect records its previous one, at `previous`, does not. */
export const summaryAdvances = (
  previous: { log: string; offset: number },
  at: { log: string; offset: bigint },
) => previous.log !== at.log || Number(at.offset) > previous.offset;
