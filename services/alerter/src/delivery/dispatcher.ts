import type { AlertChannel } from '@tracehouse/shared';
import {
  type AlertDeliveryRow,
  type AlertEventRow,
  type AlertPayload,
  alertEventView,
  type Logger,
  redactUrl,
  type SendResult,
} from '@tracehouse/shared/node';

export interface DeliveryJob {
  row: AlertEventRow;
  channel: AlertChannel;
  /** The channel's index in the event's channels (attempts are recorded by it). */
  index: number;
  secret: string;
  /** 1-based number of the next attempt (a new owner resumes after the recorded ones). */
  attempt: number;
}

export interface DispatcherOptions {
  send: (channel: AlertChannel, payload: AlertPayload, secret: string) => Promise<SendResult>;
  record: (rows: AlertDeliveryRow[]) => Promise<void>;
  /** A rule that moved to another process is delivered by that one (it resumes from the records). */
  owns: (ruleId: string) => boolean;
  logger: Logger;
  clock: () => number;
  random: () => number;
  retryMinMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  concurrency: number;
}

/** Capped exponential backoff with equal jitter: half fixed, half random, so retries spread out. */
export function retryDelayMs(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (base / 2) * random());
}

export const payloadOf = (row: AlertEventRow): AlertPayload => ({
  ...alertEventView(row),
  type: 'tracehouse.alert',
  project_id: row.project_id,
  test: false,
});

/**
 * Delivers events to channels, each (event, channel) on its own: a slow or failing receiver holds at
 * most one of the concurrency slots per attempt and waits between attempts on a timer, so it never
 * holds back other rules. Every attempt is recorded.
 */
export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #ready: DeliveryJob[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<void>>();
  /** (event, channel) pairs queued, in flight or waiting to retry: a resumed delivery is not doubled. */
  readonly #active = new Set<string>();
  #stopped = false;

  constructor(options: DispatcherOptions) {
    this.#o = options;
  }

  get idle(): boolean {
    return this.#ready.length === 0 && this.#timers.size === 0 && this.#inFlight.size === 0;
  }

  enqueue(job: DeliveryJob): void {
    const key = `${job.row.event_id}:${job.index}`;
    if (this.#stopped || this.#active.has(key)) return;
    this.#active.add(key);
    this.#ready.push(job);
    this.#pump();
  }

  #retry(job: DeliveryJob): void {
    if (this.#stopped) return;
    this.#ready.push(job);
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#inFlight.size < this.#o.concurrency && this.#ready.length > 0) {
      const job = this.#ready.shift()!;
      const run = this.#attempt(job).finally(() => {
        this.#inFlight.delete(run);
        this.#pump();
      });
      this.#inFlight.add(run);
    }
  }

  async #attempt(job: DeliveryJob): Promise<void> {
    const key = `${job.row.event_id}:${job.index}`;
    if (!this.#o.owns(job.row.rule_id)) {
      this.#active.delete(key);
      return;
    }
    const started = this.#o.clock();
    let result: SendResult;
    try {
      result = await this.#o.send(job.channel, payloadOf(job.row), job.secret);
    } catch (err) {
      result = { ok: false, status: null, error: String(err).slice(0, 200), retryable: true };
    }
    const last = job.attempt >= this.#o.maxAttempts || !result.retryable;
    const outcome = result.ok ? 'delivered' : last ? 'gave_up' : 'failed';
    await this.#o
      .record([
        {
          project_id: job.row.project_id,
          rule_id: job.row.rule_id,
          event_id: job.row.event_id,
          channel: job.index,
          channel_type: job.channel.type,
          attempt: job.attempt,
          outcome,
          http_status: result.status,
          error: result.error,
          duration_ms: Math.max(0, this.#o.clock() - started),
          at: new Date(started).toISOString(),
        },
      ])
      .catch((err) =>
        this.#o.logger.warn({ err, eventId: job.row.event_id }, 'delivery attempt not recorded'),
      );
    const where = 'url' in job.channel ? redactUrl(job.channel.url) : job.channel.type;
    const log = {
      eventId: job.row.event_id,
      ruleId: job.row.rule_id,
      channel: where,
      attempt: job.attempt,
      outcome,
    };
    if (outcome === 'failed') {
      const wait = retryDelayMs(job.attempt, this.#o.retryMinMs, this.#o.retryMaxMs, this.#o.random);
      this.#o.logger.info({ ...log, error: result.error, waitMs: wait }, 'delivery failed; will retry');
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#retry({ ...job, attempt: job.attempt + 1 });
      }, wait);
      this.#timers.add(timer);
      return;
    }
    this.#active.delete(key);
    if (outcome === 'gave_up') this.#o.logger.warn({ ...log, error: result.error }, 'delivery given up');
    else this.#o.logger.debug(log, 'delivered');
  }

  /** Stops retrying (the next owner resumes from the recorded attempts) and waits for attempts in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#ready.length = 0;
    this.#active.clear();
    await Promise.all([...this.#inFlight]);
  }
}
