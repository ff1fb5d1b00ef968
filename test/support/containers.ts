import { ClickHouseContainer } from '@testcontainers/clickhouse';
import { KafkaContainer } from '@testcontainers/kafka';

// Pinned like docker-compose.yml: ClickHouse >= 24.8; Kafka in KRaft mode.
export const clickhouseImage = 'clickhouse/clickhouse-server:24.8';
export const kafkaImage = 'confluentinc/cp-kafka:7.9.0';

/** Shared services for the integration tests when a Docker daemon answers. */
export async function startContainers(): Promise<{
  kafkaBrokers: string[];
  clickhouseUrl: string;
  stop: () => Promise<void>;
}> {
  const [kafka, clickhouse] = await Promise.all([
    new KafkaContainer(kafkaImage).withKraft().start(),
    new ClickHouseContainer(clickhouseImage).withUsername('default').withPassword('').start(),
  ]);
  return {
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    clickhouseUrl: clickhouse.getHttpUrl(),
    stop: async () => {
      await Promise.all([kafka.stop(), clickhouse.stop()]);
    },
  };
}
