import type { ClickHouseClient } from '@clickhouse/client';
import { AppError, ErrorCodes } from '@tracehouse/shared';
import {
  loadTraceMetricRows,
  loadTraceSpanRows,
  type SpanMetricRow,
  type SpanRow,
} from '@tracehouse/shared/node';
import type { TraceKey } from './domain/trace-loader.js';

/** ClickHouse's TOO_MANY_ROWS_OR_BYTES: a result went past `max_result_bytes`. */
const overLimit = (err: unknown) => err instanceof AppError && err.details.clickhouseCode === '396';

const rowBytes = (r: SpanRow) =>
  600 + (r.input?.length ?? 0) + (r.output?.length ?? 0) + (r.error?.length ?? 0);

/**
 * The stored rows of the traces a batch needs but does not hold, read within `maxBytes` (ClickHouse
 * stops a larger result, and what arrived is counted too). Past it the batch is written in halves
 * (`TH_BATCH_TOO_LARGE`, see ConsumerLoop), so a writer's memory is bounded by what it loads, not
 * only by what it consumes.
 */
export async function loadTracesWithin(
  clickhouse: ClickHouseClient,
  traces: TraceKey[],
  maxBytes: number,
): Promise<{ spans: SpanRow[]; metrics: SpanMetricRow[] }> {
  const settings = { max_result_bytes: String(maxBytes), result_overflow_mode: 'throw' as const };
  const spans: SpanRow[] = [];
  const metrics: SpanMetricRow[] = [];
  let bytes = 0;
  try {
    for (let i = 0; i < traces.length; i += 1_000) {
      const chunk = traces.slice(i, i + 1_000);
      for (const row of await loadTraceSpanRows(clickhouse, chunk, settings)) {
        bytes += rowBytes(row);
        spans.push(row);
      }
      for (const row of await loadTraceMetricRows(clickhouse, chunk, settings)) {
        bytes += 300;
        metrics.push(row);
      }
      if (bytes > maxBytes) throw tooLarge(traces.length, maxBytes);
    }
  } catch (err) {
    throw overLimit(err) ? tooLarge(traces.length, maxBytes) : err;
  }
  return { spans, metrics };
}

const tooLarge = (traces: number, maxBytes: number) =>
  new AppError(
    ErrorCodes.BATCH_TOO_LARGE,
    `the ${traces} stored traces a batch needs exceed ${maxBytes} bytes`,
    {
      details: { traces, maxBytes },
    },
  );
