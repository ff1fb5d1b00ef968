import { KeptRunning, type Logger, restartedByCaller, toKafkaAppError } from '@tracehouse/shared/node';
import type { Consumer, Kafka } from 'kafkajs';

/** FNV-1a: a stable hash, so every process maps a rule to the same partition. */
export function partitionOf(ruleId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ruleId.length; i++) {
    h ^= ruleId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/**
 * Which rules this process owns: the partitions of a rule-keyed topic that Kafka's group protocol
 * assigns it. A rebalance revokes everything before anything is handed out again, so two live
 * processes never own one rule at the same time; ownership is dropped as soon as a rebalance starts.
 * The topic carries no records: only its partitions matter.
 */
export class RuleOwnership {
  readonly #consumer: Consumer;
  readonly #topic: string;
  readonly #partitions: number;
  readonly #logger: Logger;
  readonly #clock: () => number;
  /** Partition → when it was assigned to this process. */
  #owned = new Map<number, number>();
  /** Kept through a rebalance, so a partition that stays here keeps its time (no new grace). */
  #previous = new Map<number, number>();
  #generation = 0;
  #kept: KeptRunning | undefined;

  constructor(options: {
    kafka: Kafka;
    topic: string;
    groupId: string;
    partitions: number;
    sessionTimeoutMs: number;
    logger: Logger;
    clock: () => number;
  }) {
    this.#topic = options.topic;
    this.#partitions = options.partitions;
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#consumer = options.kafka.consumer(
      restartedByCaller({
        groupId: options.groupId,
        sessionTimeout: options.sessionTimeoutMs,
        rebalanceTimeout: options.sessionTimeoutMs,
        heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 5)),
      }),
    );
    const { GROUP_JOIN, REBALANCING, CRASH, STOP } = this.#consumer.events;
    this.#consumer.on(REBALANCING, () => this.#drop('rebalancing'));
    this.#consumer.on(CRASH, () => this.#drop('crash'));
    this.#consumer.on(STOP, () => this.#drop('stop'));
    this.#consumer.on(GROUP_JOIN, ({ payload }) => {
      const now = this.#clock();
      const assigned = payload.memberAssignment[this.#topic] ?? [];
      this.#owned = new Map(assigned.map((p) => [p, this.#previous.get(p) ?? now]));
      this.#generation++;
      this.#logger.debug({ partitions: assigned }, 'rule partitions assigned');
    });
  }

  #drop(why: string): void {
    if (this.#owned.size > 0) {
      this.#previous = this.#owned;
      this.#logger.info({ why }, 'rule ownership released');
    }
    this.#owned = new Map();
  }

  get generation(): number {
    return this.#generation;
  }

  get ownedPartitions(): number[] {
    return [...this.#owned.keys()];
  }

  ownedSince(ruleId: string): number | undefined {
    return this.#owned.get(partitionOf(ruleId, this.#partitions));
  }

  owns(ruleId: string): boolean {
    return this.ownedSince(ruleId) !== undefined;
  }

  async start(): Promise<void> {
    try {
      await this.#consumer.subscribe({ topic: this.#topic, fromBeginning: false });
      // Restarted after a crash: a process out of the group owns nothing, and would stay so.
      this.#kept = await KeptRunning.start(
        this.#consumer,
        { autoCommit: false, eachMessage: async () => {} },
        { logger: this.#logger },
      );
    } catch (err) {
      throw toKafkaAppError(err, 'joining the alerter group');
    }
  }

  /** Leaves the group, so the rules move to the other processes at once rather than after the session timeout. */
  async stop(): Promise<void> {
    this.#drop('shutdown');
    await this.#kept?.stop();
    await this.#consumer.disconnect();
  }
}
