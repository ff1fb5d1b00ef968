import type { Consumer, ConsumerConfig, ConsumerRunConfig } from 'kafkajs';
import type { Logger } from '../logger.js';

/**
 * A consumer's options with kafkajs's own restart after a crash turned off, for a consumer that
 * `KeptRunning` runs: kafkajs's restart would lose the seeks made after `run`, and two restarters
 * would race.
 */
export function restartedByCaller(config: ConsumerConfig): ConsumerConfig {
  return { ...config, retry: { ...config.retry, restartOnFailure: async () => false } };
}

export interface KeptRunningOptions {
  logger: Logger;
  /** Runs after every start, the first one included: seeks to where reading goes on. */
  afterRun?: () => void;
  /** The first restart waits this long, each one after it twice as long, up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Told of every crash (counters, tests). */
  onCrash?: (err: Error) => void;
}

/**
 * Runs a kafkajs consumer, and runs it again after every crash until stopped.
 *
 * kafkajs restarts a crashed consumer itself only after an error it calls retriable. A transient one it
 * does not, KafkaJSGroupCoordinatorNotFound while a restarted broker loads its group coordinator,
 * stops the consumer for good and silently: a writer that no longer reads and still looks alive. The
 * broker-restart test hit it in 2 of 12 runs on a loaded two-core machine. Build the consumer with
 * `restartedByCaller` so that every restart is this one, which also repeats the caller's seeks.
 */
export class KeptRunning {
  readonly #consumer: Consumer;
  readonly #run: ConsumerRunConfig;
  readonly #o: KeptRunningOptions;
  readonly #removers: (() => void)[] = [];
  /** Crashes since the group was last joined: the backoff, and whether it is down. */
  #crashes = 0;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #restarting: Promise<void> = Promise.resolve();

  private constructor(consumer: Consumer, run: ConsumerRunConfig, options: KeptRunningOptions) {
    this.#consumer = consumer;
    this.#run = run;
    this.#o = options;
  }

  /** Subscriptions must be made before; the first `run` is awaited and its failure thrown. */
  static async start(
    consumer: Consumer,
    run: ConsumerRunConfig,
    options: KeptRunningOptions,
  ): Promise<KeptRunning> {
    const kept = new KeptRunning(consumer, run, options);
    const { CRASH, GROUP_JOIN } = consumer.events;
    kept.#removers.push(
      consumer.on(CRASH, ({ payload }) => kept.#crashed(payload.error)),
      consumer.on(GROUP_JOIN, () => kept.#joined()),
    );
    await kept.#runOnce();
    return kept;
  }

  /** Crashed and not yet back in its group. */
  get down(): boolean {
    return this.#crashes > 0;
  }

  #crashed(error: Error): void {
    const min = this.#o.minDelayMs ?? 500;
    const delayMs = Math.min(this.#o.maxDelayMs ?? 10_000, min * 2 ** Math.min(this.#crashes, 16));
    this.#crashes++;
    this.#o.onCrash?.(error);
    if (this.#stopped) return;
    this.#o.logger.warn(
      { err: { name: error.name, message: error.message }, delayMs },
      'Kafka consumer crashed; restarting it',
    );
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#restarting = this.#restart();
    }, delayMs);
  }

  /**
   * kafkajs's `run` resolves once the consumer joined (GROUP_JOIN) or crashed joining (CRASH): one that
   * crashed has no group to seek in, and its restart seeks instead.
   */
  async #runOnce(): Promise<void> {
    await this.#consumer.run(this.#run);
    if (!this.down) this.#o.afterRun?.();
  }

  #joined(): void {
    this.#crashes = 0;
  }

  async #restart(): Promise<void> {
    try {
      await this.#consumer.connect();
      if (this.#stopped) return;
      await this.#runOnce();
    } catch (err) {
      // Not a crash kafkajs reports (the broker refused the connection): try again the same way.
      this.#crashed(err as Error);
    }
  }

  /** No restart after this; the caller disconnects the consumer (after any restart under way). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const remove of this.#removers.splice(0)) remove();
    await this.#restarting;
  }
}
