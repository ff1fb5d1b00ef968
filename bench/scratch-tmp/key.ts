import { createApiKey, createClickHouse, ensureProject } from '@tracehouse/shared/node';
import pino from 'pino';
const db = process.argv[2]!;
const ch = createClickHouse({ url: process.env.CLICKHOUSE_URL!, username: process.env.CLICKHOUSE_USER!, password: process.env.CLICKHOUSE_PASSWORD!, database: db, logger: pino({ level: 'warn' }) });
const p = await ensureProject(ch, 'bench');
console.log((await createApiKey(ch, p.id)).key, p.id);
await ch.close();
