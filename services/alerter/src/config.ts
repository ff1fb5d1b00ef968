import { envInt, infraEnvShape, loadConfig } from '@tracehouse/shared/node';
import { z } from 'zod';

export const AlerterConfig = z.object({
  ...infraEnvShape,
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Health endpoint when the alerter runs alone. */
  ALERTER_HEALTH_PORT: envInt(8082, 0, 65535),
});
export type AlerterConfig = z.output<typeof AlerterConfig>;

export const loadAlerterConfig = (env: Record<string, string | undefined>): AlerterConfig =>
  loadConfig(AlerterConfig, env);
