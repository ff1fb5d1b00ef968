import { randomUUID } from 'node:crypto';
import { topicNames } from '@tracehouse/shared';
import {
  clickhouseConnection,
  clickhouseHealthy,
  createClickHouse,
  createKafka,
  ensureTopics,
  ensureTracehouseTopics,
  type HealthRegistry,
  insertAlertDeliveries,
  insertAlertEvents,
  kafkaHealthy,
  type Logger,
  type ShutdownStep,
  sendAlert,
  Telemetry,
} from '@tracehouse/shared/node';
import type { AlerterConfig } from './config.js';
import { Dispatcher } from './delivery/dispatcher.js';
import { resumeDeliveries } from './delivery/resume.js';
import { StreamAggregator } from './domain/aggregator.js';
import { RuleEvaluator } from './domain/evaluator.js';
import { RuleBook } from './domain/rule-book.js';
import { WindowStore } from './domain/window-store.js';
import { KafkaEventSource } from './infra/kafka-source.js';
import { RuleOwnership } from './infra/ownership.js';
import { lastEventsOf, loadLiveRules, lookupSpans } from './infra/store.js';
import { Ticker } from './ticker.js';

export interface AlerterService {
  telemetry: Telemetry;
  rules: RuleBook;
  windows: WindowStore;
  evaluator: RuleEvaluator;
  aggregator: StreamAggregator;
  ownership: RuleOwnership;
  dispatcher: Dispatcher;
  /** Resolves once the windows are rebuilt (the topics replayed up to their ends at start). */
  ready: Promise<void>;
  shutdownSteps: ShutdownStep[];
}

/**
 * Wires the alerter: rules from ClickHouse, span and metric events from Kafka into windows, rules
 * evaluated by whichever alerter process owns them, events stored and delivered. Design: docs/ALERTS.md.
 */
export async function startAlerter(options: {
  config: AlerterConfig;
  logger: Logger;
  health: HealthRegistry;
  /** Shared with the other services of the process (`npm start`); a fresh one otherwise. */
  telemetry?: Telemetry;
  clock?: () => number;
}): Promise<AlerterService> {
  const { config: c, health } = options;
  const telemetry = options.telemetry ?? new Telemetry();
  const clock = options.clock ?? Date.now;
  const logger = options.logger.child({ component: 'alerter' });
  const topics = topicNames(c.TOPIC_PREFIX);
  const ownershipTopic = `${c.TOPIC_PREFIX}.alert-owners`;
  const clickhouse = createClickHouse({ ...clickhouseConnection(c), logger });
  const kafka = createKafka({ brokers: c.KAFKA_BROKERS, clientId: `${c.KAFKA_CLIENT_ID}-alerter`, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTracehouseTopics(admin, c);
  await ensureTopics(admin, [
    { topic: ownershipTopic, numPartitions: c.ALERTER_OWNERSHIP_PARTITIONS, replicationFactor: -1 },
  ]);

  const rules = new RuleBook();
  const windows = new WindowStore({
    exactMax: c.ALERTER_EXACT_MAX_VALUES,
    latenessMs: c.ALERTER_LATENESS_MS,
  });
  rules.replace(await loadLiveRules(clickhouse, logger));
  // Rebuild: replay the longest window (plus lateness and a minute for clock skew) from the topics.
  const replayFrom =
    clock() -
    Math.min(rules.longestWindowMs(), c.ALERTER_MAX_WINDOW_SECONDS * 1000) -
    c.ALERTER_LATENESS_MS -
    60_000;
  windows.sync(rules.all(), replayFrom);

  const aggregator = new StreamAggregator({
    rules,
    windows,
    lookupSpans: (keys) => lookupSpans(clickhouse, keys),
    logger,
    clock,
    spanCacheMax: c.ALERTER_SPAN_CACHE_MAX,
    joinWaitMs: c.ALERTER_JOIN_WAIT_MS,
    joinGiveUpMs: c.ALERTER_JOIN_GIVE_UP_MS,
  });
  const ownership = new RuleOwnership({
    kafka,
    topic: ownershipTopic,
    groupId: c.ALERTER_GROUP_ID,
    partitions: c.ALERTER_OWNERSHIP_PARTITIONS,
    sessionTimeoutMs: c.ALERTER_SESSION_TIMEOUT_MS,
    logger,
    clock,
  });
  const dispatcher = new Dispatcher({
    send: (channel, payload, secret) =>
      sendAlert(channel, payload, secret, { timeoutMs: c.ALERTER_DELIVERY_TIMEOUT_MS, logger }),
    record: async (rows) => {
      for (const r of rows) telemetry.alertDeliveries.inc({ channel: r.channel_type, outcome: r.outcome });
      await insertAlertDeliveries(clickhouse, rows);
    },
    owns: (ruleId) => ownership.owns(ruleId),
    logger,
    clock,
    random: Math.random,
    retryMinMs: c.ALERTER_DELIVERY_RETRY_MIN_MS,
    retryMaxMs: c.ALERTER_DELIVERY_RETRY_MAX_MS,
    maxAttempts: c.ALERTER_DELIVERY_MAX_ATTEMPTS,
    concurrency: c.ALERTER_DELIVERY_CONCURRENCY,
  });
  const evaluator = new RuleEvaluator({
    rules,
    windows,
    ownership,
    store: {
      lastEvents: (owned) => lastEventsOf(clickhouse, owned),
      insertEvents: async (rows) => {
        await insertAlertEvents(clickhouse, rows);
        for (const r of rows) telemetry.alertEvents.inc({ kind: r.kind });
      },
    },
    deliver: (row, rule) => {
      for (const [index, channel] of rule.channels.entries())
        dispatcher.enqueue({ row, channel, index, secret: rule.secret, attempt: 1 });
    },
    onAcquired: (acquired) =>
      resumeDeliveries({
        clickhouse,
        rules: acquired,
        dispatcher,
        clock,
        maxAttempts: c.ALERTER_DELIVERY_MAX_ATTEMPTS,
      }),
    logger,
    clock,
    graceMs: c.ALERTER_HANDOVER_GRACE_MS,
  });

  const source = new KafkaEventSource({
    kafka,
    admin,
    topics: [topics.spans, topics.metrics],
    // Its own group per process: each alerter reads every partition (docs/ALERTS.md).
    groupId: `${c.ALERTER_GROUP_ID}-stream-${randomUUID()}`,
    wanted: (projectId) => rules.hasRules(projectId),
    sink: async (events, position) => {
      await aggregator.applyEvents(events, position);
      telemetry.alerterEvents.inc(events.length);
      const newest = events.reduce((t, e) => Math.max(t, Date.parse(e.received_at)), 0);
      if (newest > 0) telemetry.alerterEventAge.set((clock() - newest) / 1000);
    },
    onLag: (topic, partition, lag) => telemetry.alerterLag.set({ topic, partition: String(partition) }, lag),
    logger,
  });
  await source.start(replayFrom);
  await ownership.start();

  const refreshRules = new Ticker(c.ALERTER_RULES_REFRESH_MS, logger, 'rules refresh', async () => {
    rules.replace(await loadLiveRules(clickhouse, logger));
    windows.sync(rules.all(), clock());
  });
  const evaluate = new Ticker(c.ALERTER_EVAL_INTERVAL_MS, logger, 'evaluation', async () => {
    await aggregator.resolvePending();
    windows.prune(rules.all(), clock());
    await evaluator.tick();
  });
  let caughtUp = false;
  const ready = source.caughtUp.then(() => {
    caughtUp = true;
    logger.info({ events: aggregator.applied }, 'windows rebuilt; evaluating');
    evaluate.start();
  });
  refreshRules.start();

  health.register('alerter.stream', () => caughtUp);
  health.register('alerter.clickhouse', () => clickhouseHealthy(clickhouse));
  health.register('alerter.kafka', () => kafkaHealthy(admin));
  return {
    telemetry,
    rules,
    windows,
    evaluator,
    aggregator,
    ownership,
    dispatcher,
    ready,
    shutdownSteps: [
      {
        name: 'alerter: stop evaluating',
        run: async () => {
          await Promise.all([evaluate.stop(), refreshRules.stop()]);
        },
      },
      { name: 'alerter: stop reading the topics', run: () => source.stop() },
      { name: 'alerter: finish deliveries in flight', run: () => dispatcher.stop() },
      { name: 'alerter: hand the rules over', run: () => ownership.stop() },
      { name: 'alerter: disconnect Kafka admin', run: () => admin.disconnect() },
      { name: 'alerter: close ClickHouse', run: () => clickhouse.close() },
    ],
  };
}
