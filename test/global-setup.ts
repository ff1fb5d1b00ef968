import type { TestProject } from 'vitest/node';
import type { TestServices } from './support/provided.js';

/**
 * Finds Kafka and ClickHouse for the integration tests, in this order:
 * 1. `KAFKA_BROKERS` + `CLICKHOUSE_URL` in the environment (CI, a developer's own servers);
 * 2. the env file `npm run services:up` wrote, when those services answer;
 * 3. a Docker daemon → testcontainers;
 * 4. otherwise the local processes (real Kafka broker + ClickHouse engine), started here and stopped after.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { resolved, teardown } = await resolveServices();
  project.provide('services', resolved);
  return teardown;
}

async function resolveServices(): Promise<{ resolved: TestServices; teardown: () => Promise<void> }> {
  const none = async () => {};
  const env = process.env;
  if (env.KAFKA_BROKERS && env.CLICKHOUSE_URL) {
    return {
      resolved: {
        kafkaBrokers: env.KAFKA_BROKERS.split(','),
        clickhouseUrl: env.CLICKHOUSE_URL,
        clickhouseUser: env.CLICKHOUSE_USER || 'default',
        clickhousePassword: env.CLICKHOUSE_PASSWORD ?? '',
        mode: 'external',
      },
      teardown: none,
    };
  }
  const local = await import('@tracehouse/local-services');
  const written = local.readServicesEnv();
  if (written?.KAFKA_BROKERS && written.CLICKHOUSE_URL) {
    const brokers = written.KAFKA_BROKERS.split(',');
    // An older services.env has no password: it still works while its engine takes none.
    const credentials = local.servicesEnvCredentials(written);
    const healthy =
      (await local.waitForKafka(brokers, 20_000).then(
        () => true,
        () => false,
      )) &&
      (await local.waitForClickHouse(written.CLICKHOUSE_URL, 10_000, credentials).then(
        () => true,
        () => false,
      ));
    if (healthy) {
      const mode = written.TRACEHOUSE_SERVICES_MODE === 'docker' ? 'docker' : 'local';
      return {
        resolved: {
          kafkaBrokers: brokers,
          clickhouseUrl: written.CLICKHOUSE_URL,
          clickhouseUser: credentials.user,
          clickhousePassword: credentials.password,
          mode,
        },
        teardown: none,
      };
    }
  }
  if (await local.dockerAvailable()) {
    const { startContainers } = await import('./support/containers.js');
    const containers = await startContainers();
    return {
      resolved: {
        kafkaBrokers: containers.kafkaBrokers,
        clickhouseUrl: containers.clickhouseUrl,
        clickhouseUser: containers.clickhouseUser,
        clickhousePassword: containers.clickhousePassword,
        mode: 'docker',
      },
      teardown: containers.stop,
    };
  }
  const up = await local.servicesUp({ env: {} });
  return {
    resolved: {
      kafkaBrokers: up.kafkaBrokers,
      clickhouseUrl: up.clickhouseUrl,
      clickhouseUser: up.clickhouseUser,
      clickhousePassword: up.clickhousePassword,
      mode: 'local',
    },
    teardown: () => local.servicesDown(),
  };
}
