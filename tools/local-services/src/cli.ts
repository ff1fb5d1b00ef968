// `npm run services:up | services:down | services:status` — see README "Local services".
import { servicesDown, servicesStatus, servicesUp, statePaths } from './services.js';

const command = process.argv[2];
const started = Date.now();

switch (command) {
  case 'up': {
    const up = await servicesUp({ env: process.env });
    console.log(`services up (${up.mode}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`  KAFKA_BROKERS=${up.kafkaBrokers.join(',')}`);
    console.log(`  CLICKHOUSE_URL=${up.clickhouseUrl}`);
    console.log(
      `  CLICKHOUSE_USER=${up.clickhouseUser}, CLICKHOUSE_PASSWORD: see ${statePaths(process.env).envFile}`,
    );
    break;
  }
  case 'down':
    await servicesDown({ env: process.env });
    console.log('services down');
    break;
  case 'status': {
    const statuses = await servicesStatus({ env: process.env });
    for (const s of statuses) {
      console.log(
        `${s.name.padEnd(10)} ${s.healthy ? 'healthy' : s.running ? 'running, not answering' : 'stopped'}  ${s.endpoint}${s.pid ? `  pid ${s.pid}` : ''}`,
      );
    }
    process.exitCode = statuses.every((s) => s.healthy) ? 0 : 1;
    break;
  }
  default:
    console.error('usage: services.ts up|down|status');
    process.exitCode = 2;
}
