import { freePort } from '@tracehouse/local-services';
import { GenericContainer, type StartedTestContainer } from 'testcontainers';
import { clickhouseImage } from './containers.js';
import type { DedicatedService } from './dedicated.js';

// Fixed host ports, so the endpoint stays the same across a container restart.

export async function dedicatedKafkaContainer(): Promise<DedicatedService> {
  const port = await freePort();
  const container = await new GenericContainer('apache/kafka:3.9.1')
    .withExposedPorts({ container: 9092, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .start();
  return wrap(container, `127.0.0.1:${port}`);
}

export async function dedicatedClickHouseContainer(password: string): Promise<DedicatedService> {
  const port = await freePort();
  const container = await new GenericContainer(clickhouseImage)
    .withExposedPorts({ container: 8123, host: port })
    .withEnvironment({ CLICKHOUSE_USER: 'default', CLICKHOUSE_PASSWORD: password })
    .start();
  return wrap(container, `http://127.0.0.1:${port}`);
}

// Stopped without removal, so a restart finds its data; `restart()` starts a stopped container.
function wrap(container: StartedTestContainer, endpoint: string): DedicatedService {
  let removed = false;
  return {
    endpoint,
    stop: async () => {
      await container.stop({ remove: false });
    },
    start: async () => {
      await container.restart();
    },
    dispose: async () => {
      if (removed) return;
      removed = true;
      await container.stop({ remove: true, removeVolumes: true });
    },
  };
}
