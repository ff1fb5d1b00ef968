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

export function testClickHouse(database = 'default', url = testServices().clickhouseUrl): ClickHouseClient {
  return createClickHouse({ url, database, logger: testLogger });
}

/** A fresh database with every migration applied, dropped by `drop()`. */
export async function migratedDatabase(url = testServices().clickhouseUrl) {
  const database = uniqueName('th_test');
  await migrate({ url, database, logger: testLogger });
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
