import { AppError } from '@tracehouse/shared';
import type { Logger } from '@tracehouse/shared/node';

/**
 * Inserts rows; when ClickHouse refuses them for good (not retryable), halves the batch until the
 * offending rows are found, so one bad row costs a dead letter, not the stream. Retryable failures
 * are thrown: the whole batch is retried.
 */
export async function insertOrBisect<R>(
  rows: R[],
  insert: (rows: R[]) => Promise<void>,
  logger: Logger,
): Promise<{ row: R; err: AppError }[]> {
  if (rows.length === 0) return [];
  try {
    await insert(rows);
    return [];
  } catch (err) {
    if (!(err instanceof AppError) || err.retryable) throw err;
    if (rows.length === 1) return [{ row: rows[0]!, err }];
    logger.warn({ code: err.code, details: err.details, rows: rows.length }, 'insert refused; bisecting');
    const mid = Math.ceil(rows.length / 2);
    return [
      ...(await insertOrBisect(rows.slice(0, mid), insert, logger)),
      ...(await insertOrBisect(rows.slice(mid), insert, logger)),
    ];
  }
}
