import { ClickHouseContainer } from '@testcontainers/clickhouse';
import { KafkaContainer } from '@testcontainers/kafka';
import { CLICKHOUSE_USER, generatePassword } from '@tracehouse/local-services';

// Pinned like docker-compose.yml: ClickHouse >= 24.8; Kafka in KRaft mode.
export const clickhouseImage = 'clickhouse/clickhouse-server:24.8';
export const kafkaImage = 'confluentinc/cp-kafka:7.9.0';

/** Shared services for the integration tests when a Docker daemon answers. */
export async function startContainers(): Promise<{
  kafkaBrokers: string[];
  clickhouseUrl: string;
  clickhouseUser: string;
  clickhousePassword: string;
  stop: () => Promise<void>;
}> {
  // A password, as in docker-compose.yml and the local services: the tests send one like production.
  const clickhousePassword = generatePassword();
  const [kafka, clickhouse] = await Promise.all([
    new KafkaContainer(kafkaImage).withKraft().start(),
    new ClickHouseContainer(clickhouseImage)
      .withUsername(CLICKHOUSE_USER)
      .withPassword(clickhousePassword)
      .start(),
  ]);
  return {
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    clickhouseUrl: clickhouse.getHttpUrl(),
    clickhouseUser: CLICKHOUSE_USER,
    clickhousePassword,
    stop: async () => {
      await Promise.all([kafka.stop(), clickhouse.stop()]);
    },
  };
}
