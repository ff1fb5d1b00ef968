import {
  createKafka,
  type HealthRegistry,
  kafkaHealthy,
  type Logger,
  type ShutdownStep,
} from '@tracehouse/shared/node';
import type { AlerterConfig } from './config.js';

export interface AlerterService {
  shutdownSteps: ShutdownStep[];
}

/**
 * The alerter will evaluate metric thresholds from the same topics the writer consumes (its own
 * consumer group). Its rules come in a later issue; today it holds its Kafka connection and readiness.
 */
export async function startAlerter(options: {
  config: AlerterConfig;
  logger: Logger;
  health: HealthRegistry;
}): Promise<AlerterService> {
  const { config, health } = options;
  const logger = options.logger.child({ component: 'alerter' });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-alerter`,
    logger,
  });
  const admin = kafka.admin();
  await admin.connect();
  health.register('alerter.kafka', () => kafkaHealthy(admin));
  return { shutdownSteps: [{ name: 'alerter: disconnect Kafka', run: () => admin.disconnect() }] };
}
