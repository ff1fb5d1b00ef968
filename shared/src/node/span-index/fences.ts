/**
 * What reads ask before trusting ClickHouse: the newest write acknowledged by any ingest process
 * (event versions). Ingest's span index implements it from the index topic (docs/READ-PATH.md).
 */
export interface KnownSpanWrites {
  traceId: string;
  /** Newest acknowledged write to the span itself / to one of its metrics. */
  version?: number;
  metricsVersion?: number;
}

export interface WriteFences {
  /** undefined: no recent write known here; null: deleted. */
  span(projectId: string, spanId: string): Promise<KnownSpanWrites | null | undefined>;
  trace(projectId: string, traceId: string): Promise<{ spans: number; metrics: number } | undefined>;
  dataset(projectId: string, datasetId: string): Promise<{ name: string; version: number } | undefined>;
  /** Traces of the project written in the last moments, newest first (bounded). */
  recentTraces(projectId: string): Promise<{ traceId: string; version: number }[]>;
}

/** No fences: reads see what is stored (a read-only API process, unit tests). */
export const noFences: WriteFences = {
  span: async () => undefined,
  trace: async () => undefined,
  dataset: async () => undefined,
  recentTraces: async () => [],
};
