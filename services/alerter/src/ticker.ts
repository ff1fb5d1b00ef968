import type { Logger } from '@tracehouse/shared/node';

/** Runs `work` every `everyMs`, never overlapping itself; a failure is logged and the next run goes on. */
export class Ticker {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    private readonly everyMs: number,
    private readonly logger: Logger,
    private readonly name: string,
    private readonly work: () => Promise<unknown>,
  ) {}

  start(): void {
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.work()
        .then(
          () => {},
          (err) => this.logger.warn({ err, task: this.name }, 'periodic task failed'),
        )
        .finally(() => this.#schedule());
    }, this.everyMs);
  }

  /** Stops scheduling and waits for a run in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}
