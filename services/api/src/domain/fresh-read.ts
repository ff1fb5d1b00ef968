import { AppError, ErrorCodes } from '@tracehouse/shared';

/**
 * Reads until what is stored has caught up with a write this API acknowledged (read-your-writes).
 * Polls from 5 ms doubling to 100 ms: the writer's batch delay is the usual wait, well under a second.
 * Past `waitMs` the read is refused with a retryable 503 rather than answering with an older state
 * (or a 404 for something that exists), unless `stale` says to return what is there.
 */
export async function readFresh<T>(
  read: () => Promise<T>,
  isFresh: (value: T) => boolean,
  options: { waitMs: number; stale?: 'refuse' | 'serve'; what: string },
): Promise<T> {
  const deadline = Date.now() + options.waitMs;
  let delay = 5;
  for (;;) {
    const value = await read();
    if (isFresh(value)) return value;
    if (Date.now() >= deadline) {
      if (options.stale === 'serve') return value;
      throw new AppError(
        ErrorCodes.NOT_YET_STORED,
        `${options.what} was acknowledged but is not stored yet; retry shortly`,
        {
          retryable: true,
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(1, deadline - Date.now()))));
    delay = Math.min(delay * 2, 100);
  }
}
