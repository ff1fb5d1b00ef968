import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureKafkaJars } from './kafka-jars.js';
import { LocalProcess } from './local-process.js';
import { spawnDetached } from './process.js';
import { kafkaRoundTrip, waitForKafka } from './readiness.js';

const run = promisify(execFile);

export interface LocalKafkaOptions {
  /** Holds the log dirs, the generated config, the pid file and the log. */
  dataDir: string;
  port: number;
  controllerPort: number;
  heapMb?: number;
  readyTimeoutMs?: number;
}

/** The single-node KRaft config: broker and controller in one process, on loopback only. */
export function kafkaProperties(o: { dataDir: string; port: number; controllerPort: number }): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(o.dataDir, 'logs')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    // Fewer coordinator partitions load faster after a start.
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Topics are created on purpose, with their partitions and retention, never by a typo.
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

/**
 * The broker's JVM, as Kafka's documentation recommends for production ("Java Version": G1 with
 * 16 MiB regions, a fixed heap). With the JVM's default 1 MiB regions every produce request over
 * 512 KiB (ingest sends a few MiB) is a humongous allocation, each starting a concurrent marking cycle:
 * G1's marking thread spent about half as much CPU as the broker's request handling in a bench run.
 */
const kafkaJvmOptions = (heapMb: number): string[] => [
  `-Xmx${heapMb}m`,
  `-Xms${heapMb}m`,
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:G1HeapRegionSize=16M',
  '-XX:+ExplicitGCInvokesConcurrent',
];

const log4j = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.KafkaRaftServer=INFO
`;

/** The Apache Kafka broker, single node in KRaft mode, run from its Maven Central jars with Java. */
export class LocalKafka extends LocalProcess {
  readonly brokers: string[];
  readonly #o: Required<LocalKafkaOptions>;

  constructor(options: LocalKafkaOptions) {
    for (const port of [options.port, options.controllerPort]) {
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new Error(`LocalKafka: bad port ${port}`);
    }
    if (options.port === options.controllerPort)
      throw new Error('LocalKafka: port and controllerPort must differ');
    super(options.dataDir, 'kafka');
    this.#o = { heapMb: 1024, readyTimeoutMs: 120_000, ...options };
    this.brokers = [`127.0.0.1:${options.port}`];
  }

  protected roundTrip(): Promise<void> {
    return kafkaRoundTrip(this.brokers);
  }

  /** Idempotent: a running broker is reused; otherwise formats storage (first time) and starts one. */
  async start(): Promise<void> {
    if (this.isRunning()) {
      await waitForKafka(this.brokers, this.#o.readyTimeoutMs);
      return;
    }
    const libs = await ensureKafkaJars();
    const { dataDir } = this.#o;
    mkdirSync(dataDir, { recursive: true });
    const config = join(dataDir, 'server.properties');
    writeFileSync(config, kafkaProperties(this.#o));
    writeFileSync(join(dataDir, 'log4j.properties'), log4j);
    const classpath = `${libs}/*`;
    if (!existsSync(join(dataDir, 'logs', 'meta.properties'))) {
      await run('java', [
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        randomUUID(),
        '-c',
        config,
      ]);
    }
    spawnDetached({
      command: 'java',
      args: [
        ...kafkaJvmOptions(this.#o.heapMb),
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${join(dataDir, 'log4j.properties')}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        config,
      ],
      logFile: this.logFile,
      pidFile: this.pidFile,
    });
    await this.waitReady(() => waitForKafka(this.brokers, this.#o.readyTimeoutMs));
  }
}
