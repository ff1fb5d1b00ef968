import type { Logger } from './logger.js';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/**
 * Runs shutdown steps strictly in order (stop intake → drain → flush → commit → close clients).
 * A failing step is logged and the next still runs: a broken producer must not keep ClickHouse open.
 * Returns false when any step failed, so the process can exit non-zero.
 */
export async function shutdownInOrder(steps: ShutdownStep[], logger: Logger): Promise<boolean> {
  let clean = true;
  for (const step of steps) {
    const started = Date.now();
    try {
      await step.run();
      logger.info({ step: step.name, ms: Date.now() - started }, 'shutdown step done');
    } catch (err) {
      clean = false;
      logger.error({ err, step: step.name }, 'shutdown step failed');
    }
  }
  return clean;
}

/**
 * Calls `shutdown` once on the first SIGINT/SIGTERM; a second signal, or the deadline passing,
 * exits at once so a stuck dependency can never keep the process alive forever.
 */
export function exitOnSignals(
  shutdown: () => Promise<boolean>,
  logger: Logger,
  { deadlineMs = 30_000 }: { deadlineMs?: number } = {},
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed: exiting');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    shutdown().then(
      (clean) => process.exit(clean ? 0 : 1),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
