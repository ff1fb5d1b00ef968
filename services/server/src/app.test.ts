import { AppError } from '@tracehouse/shared';
import { createLogger, HealthRegistry } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { buildServerApp } from './app.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const noKeys = { keys: { projectOf: async () => undefined } };
const noLimit = { max: 0, windowMs: 1000 };

describe('server app', () => {
  it('answers /healthz 503 until every part is ready, then 200', async () => {
    const health = new HealthRegistry();
    let ready = false;
    health.register('kafka', () => ready);
    const app = await buildServerApp({ logger, health, healthCacheMs: 0, auth: noKeys, rateLimit: noLimit });
    const before = await app.inject({ method: 'GET', url: '/healthz' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toEqual({ status: 'unavailable', checks: { kafka: false } });
    ready = true;
    const after = await app.inject({ method: 'GET', url: '/healthz' });
    expect(after.statusCode).toBe(200);
    await app.close();
  });

  it('maps AppErrors to status codes in the Opper error shape and hides 500 internals', async () => {
    const app = await buildServerApp({
      logger,
      health: new HealthRegistry(),
      auth: noKeys,
      rateLimit: noLimit,
    });
    app.get('/boom/validation', async () => {
      throw new AppError('TH_VALIDATION', 'name: must be at most 256 characters', {
        details: { field: 'name' },
      });
    });
    app.get('/boom/kafka', async () => {
      throw new AppError('TH_KAFKA_UNAVAILABLE', 'Kafka unavailable while producing', { retryable: true });
    });
    app.get('/boom/limit', async () => {
      throw new AppError('TH_CLICKHOUSE_QUERY', 'ClickHouse error: Limit for result exceeded', {
        details: { clickhouseCode: '396' },
      });
    });
    app.get('/boom/bug', async () => {
      throw new Error('secret internals');
    });
    const validation = await app.inject({ method: 'GET', url: '/boom/validation' });
    expect(validation.statusCode).toBe(422);
    expect(validation.json()).toMatchObject({
      type: 'UnprocessableEntityError',
      message: 'name: must be at most 256 characters',
      detail: { field: 'name' },
      code: 'TH_VALIDATION',
    });
    const kafka = await app.inject({ method: 'GET', url: '/boom/kafka' });
    expect(kafka.statusCode).toBe(503);
    expect(kafka.headers['retry-after']).toBe('1');
    const limit = await app.inject({ method: 'GET', url: '/boom/limit' });
    expect(limit.statusCode).toBe(422);
    expect(limit.json()).toMatchObject({ code: 'TH_QUERY_LIMIT', detail: { field: 'filter' } });
    expect(limit.body).not.toContain('Limit for result exceeded');
    const bug = await app.inject({ method: 'GET', url: '/boom/bug' });
    expect(bug.statusCode).toBe(500);
    expect(bug.body).not.toContain('secret internals');
    const missing = await app.inject({ method: 'GET', url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().type).toBe('NotFoundError');
    await app.close();
  });

  it('sets the HTTP timeouts on the server it builds', async () => {
    const app = await buildServerApp({
      logger,
      health: new HealthRegistry(),
      auth: noKeys,
      rateLimit: noLimit,
      http: { requestTimeoutMs: 12_000, connectionTimeoutMs: 3_000, keepAliveTimeoutMs: 7_000 },
    });
    expect(app.server.requestTimeout).toBe(12_000);
    expect(app.server.keepAliveTimeout).toBe(7_000);
    expect(app.initialConfig.connectionTimeout).toBe(3_000);
    await app.close();
  });
});
