import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouse, createKafka, createLogger, migrate } from '@tracehouse/shared/node';
import type { Kafka } from 'kafkajs';
import { inject } from 'vitest';
import { uniqueName } from './names.js';
import './provided.js';

export const testLogger = createLogger({ name: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function testServices() {
  return inject('services');
}

export function testKafka(brokers = testServices().kafkaBrokers): Kafka {
  return createKafka({ brokers, clientId: uniqueName('test'), logger: testLogger });
}

/** URL and credentials of the shared ClickHouse, or of another one (a dedicated engine) with its password. */
export function testClickHouseConnection(url = testServices().clickhouseUrl, password?: string) {
  const services = testServices();
  return {
    url,
    username: services.clickhouseUser,
    password: password ?? services.clickhousePassword,
  };
}

export function testClickHouse(
  database = 'default',
  url = testServices().clickhouseUrl,
  password?: string,
): ClickHouseClient {
  return createClickHouse({ ...testClickHouseConnection(url, password), database, logger: testLogger });
}

/** A fresh database with every migration applied, dropped by `drop()`. */
export async function migratedDatabase(url = testServices().clickhouseUrl) {
  const database = uniqueName('th_test');
  await migrate({ ...testClickHouseConnection(url), database, logger: testLogger });
  const client = testClickHouse(database, url);
  return {
    database,
    client,
    drop: async () => {
      await client.command({
        query: 'DROP DATABASE IF EXISTS {db:Identifier}',
        query_params: { db: database },
      });
      await client.close();
    },
  };
}
