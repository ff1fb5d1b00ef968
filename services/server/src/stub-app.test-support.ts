import type { ReadSide } from '@tracehouse/api';
import type { WriteService } from '@tracehouse/ingest';
import { createLogger, HealthRegistry } from '@tracehouse/shared/node';
import type { FastifyInstance } from 'fastify';
import { type AuthOptions, buildServerApp } from './index.js';

/** Every call on a stub service fails the test loudly: a handler ran that should not have. */
export const handlerReached = (what: string) =>
  new Proxy(
    {},
    {
      get: (_target, property) => {
        if (property === 'then') return undefined;
        return () => {
          throw new Error(`${what}.${String(property)} called: a handler ran`);
        };
      },
    },
  );

/** The combined app (every write and read route) over services no request may reach. */
export function buildStubApp(
  auth: AuthOptions = { keys: { projectOf: async () => undefined } },
): Promise<FastifyInstance> {
  const reads = handlerReached('reads') as ReadSide['reads'];
  return buildServerApp({
    logger: createLogger({ name: 'test', level: 'silent' }),
    health: new HealthRegistry(),
    auth,
    rateLimit: { max: 0, windowMs: 1000 },
    writes: {
      writes: handlerReached('writes') as WriteService,
      spanAfterWrite: () => {
        throw new Error('spanAfterWrite called: a handler ran');
      },
      traceSpanIds: () => {
        throw new Error('traceSpanIds called: a handler ran');
      },
      maxBatchItems: 10,
    },
    reads: {
      reads,
      search: handlerReached('search') as ReadSide['search'],
      clickhouse: handlerReached('clickhouse') as ReadSide['clickhouse'],
      analytics: () => {
        throw new Error('analytics called: a handler ran');
      },
      datasetEntries: () => {
        throw new Error('datasetEntries called: a handler ran');
      },
    },
  });
}
