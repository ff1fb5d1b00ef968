import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot, repoRoot } from './paths.js';

const run = promisify(execFile);

/** Kafka 3.9.x: KRaft without ZooKeeper, and the newest line kafkajs 2.2.4 is verified against here. */
export const KAFKA_VERSION = '3.9.1';

/**
 * The broker's jars from Maven Central, fetched once into the cache (outside the repo) with the
 * machine's Maven; later calls return at once.
 */
export async function ensureKafkaJars(): Promise<string> {
  const libs = join(cacheRoot, `kafka-${KAFKA_VERSION}`, 'libs');
  const marker = join(libs, '.complete');
  if (existsSync(marker)) return libs;
  // The first start waits on this: say what, from where and how big, since nothing else moves.
  process.stderr.write(
    `First start: fetching the Kafka ${KAFKA_VERSION} broker jars from Maven Central (about 45 MB) into ${libs}...\n`,
  );
  await run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(repoRoot, 'tools', 'kafka', 'pom.xml'),
      `-Dkafka.version=${KAFKA_VERSION}`,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${libs}`,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  if (!readdirSync(libs).some((f) => f.startsWith('kafka_2.13-')))
    throw new Error(`no Kafka jars in ${libs}`);
  writeFileSync(marker, KAFKA_VERSION);
  return libs;
}
