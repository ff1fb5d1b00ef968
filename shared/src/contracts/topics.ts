/** Topic names, from one prefix so several installations can share a cluster. */
export function topicNames(prefix = 'tracehouse') {
  return {
    /** Span upserts/patches/deletes, keyed by trace id so one trace keeps its order. */
    spans: `${prefix}.spans`,
    /** Metric events, keyed by trace id like spans. */
    metrics: `${prefix}.metrics`,
    /** Dataset entry events, keyed by dataset id. */
    datasets: `${prefix}.datasets`,
    /** Span id → trace id, read by every ingest process so a child finds its parent's trace. */
    spanIndex: `${prefix}.span-index`,
    deadLetter: `${prefix}.dead-letter`,
  } as const;
}
export type TopicNames = ReturnType<typeof topicNames>;
