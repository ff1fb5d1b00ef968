import { Stack } from '@tracehouse/test-support/stack';
import { type SeededTrace, seed } from './seed.js';

export interface DashboardStack {
  baseUrl: string;
  apiKey: string;
  close(): Promise<void>;
}

/**
 * Tracehouse (ingest + writer, with the dashboard served at `/`) listening on a free port, with the
 * traces seeded and stored: every trace with all its spans, and every metric.
 */
export async function startDashboardStack(traces: SeededTrace[]): Promise<DashboardStack> {
  const stack = await Stack.create();
  try {
    const ingest = await stack.startIngest();
    await stack.startWriter();
    await ingest.app.listen({ host: '127.0.0.1', port: 0 });
    const address = ingest.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('ingest did not listen on a port');
    const baseUrl = `http://127.0.0.1:${address.port}`;
    await seed(baseUrl, stack.apiKey, traces);
    const spans = traces.reduce((n, t) => n + t.spans.length, 0);
    const count = async (query: string) => {
      const rs = await stack.clickhouse.query({
        query,
        query_params: { p: stack.projectId },
        format: 'JSONEachRow',
      });
      return Number((await rs.json<{ n: string }>())[0]?.n);
    };
    await stack.eventually(
      () => count('SELECT sum(span_count) AS n FROM trace_summaries FINAL WHERE project_id = {p:UUID}'),
      (n) => n === spans,
      90_000,
    );
    await stack.eventually(
      () => count('SELECT count() AS n FROM span_metrics FINAL WHERE project_id = {p:UUID}'),
      (n) => n === spans,
      90_000,
    );
    return { baseUrl, apiKey: stack.apiKey, close: () => stack.close() };
  } catch (err) {
    await stack.close();
    throw err;
  }
}
