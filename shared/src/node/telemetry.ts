import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every Prometheus metric Tracehouse exports, defined in one place so names stay stable. One instance
 * per process: `npm start` shares it between ingest and writer, and `/metrics` serves its registry.
 * Services take it injected (tests build their own, so nothing is global).
 */
export class Telemetry {
  readonly registry = new Registry();

  /** Records Kafka acknowledged, by topic kind (spans, metrics, datasets, index). */
  readonly producedRecords = new Counter({
    name: 'tracehouse_ingest_records_total',
    help: 'Records acknowledged by Kafka, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly produceSeconds = new Histogram({
    name: 'tracehouse_kafka_produce_seconds',
    help: 'Time for one produce batch to be acknowledged by Kafka (acks=all)',
    labelNames: ['outcome'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly httpRequests = new Counter({
    name: 'tracehouse_http_requests_total',
    help: 'HTTP requests answered, by route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly writerBatchItems = new Histogram({
    name: 'tracehouse_writer_batch_items',
    help: 'Messages per batch the writer wrote to ClickHouse',
    buckets: [1, 10, 100, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000],
    registers: [this.registry],
  });

  readonly writerBatches = new Counter({
    name: 'tracehouse_writer_batches_total',
    help: 'Batches written, by the delay they could wait: short, or longer while behind or saturated',
    labelNames: ['delay'] as const,
    registers: [this.registry],
  });

  readonly writerBatchSeconds = new Histogram({
    name: 'tracehouse_writer_batch_seconds',
    help: 'Time to write one batch to ClickHouse and commit its offsets (retries included)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly writerRows = new Counter({
    name: 'tracehouse_writer_rows_total',
    help: 'Rows written to ClickHouse, by table',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });

  readonly writerLoadedTraces = new Counter({
    name: 'tracehouse_writer_loaded_traces_total',
    help: 'Traces the writer read back from ClickHouse because it did not hold them (after a rebalance, a restart or an eviction)',
    registers: [this.registry],
  });

  readonly malformedIndexRecords = new Counter({
    name: 'tracehouse_ingest_malformed_index_records_total',
    help: 'Records or entries on the span-index topic that could not be read and were skipped',
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'tracehouse_dead_letters_total',
    help: 'Messages sent to the dead-letter topic',
    registers: [this.registry],
  });

  readonly writerBufferedMessages = new Gauge({
    name: 'tracehouse_writer_buffered_messages',
    help: 'Messages the writer consumed and holds in its batch, not yet written to ClickHouse',
    registers: [this.registry],
  });

  readonly consumerLag = new Gauge({
    name: 'tracehouse_writer_consumer_lag',
    help: 'Messages on a topic not yet written and committed by the writer group',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  /** Span and metric events the alerter applied to its windows. */
  readonly alerterEvents = new Counter({
    name: 'tracehouse_alerter_events_total',
    help: 'Span and metric events applied to alert windows',
    registers: [this.registry],
  });

  readonly alerterLag = new Gauge({
    name: 'tracehouse_alerter_lag',
    help: 'Messages on a topic partition not yet applied by this alerter, as of its last batch',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly alerterEventAge = new Gauge({
    name: 'tracehouse_alerter_event_age_seconds',
    help: 'Time from ingest acknowledging an event to the alerter applying it, newest event of the last batch',
    registers: [this.registry],
  });

  readonly alertEvents = new Counter({
    name: 'tracehouse_alert_events_total',
    help: 'Alert events (transitions and reminders) stored, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly alertDeliveries = new Counter({
    name: 'tracehouse_alert_delivery_attempts_total',
    help: 'Alert delivery attempts, by channel type and outcome',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'tracehouse_' });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
