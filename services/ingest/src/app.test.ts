import { AppError } from '@tracehouse/shared';
import { createLogger, HealthRegistry } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { buildIngestApp } from './app.js';

const logger = createLogger({ name: 'test', level: 'silent' });

describe('ingest app', () => {
  it('answers /healthz 503 until every part is ready, then 200', async () => {
    const health = new HealthRegistry();
    let ready = false;
    health.register('kafka', () => ready);
    const app = await buildIngestApp({ logger, health });
    const before = await app.inject({ method: 'GET', url: '/healthz' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toEqual({ status: 'unavailable', checks: { kafka: false } });
    ready = true;
    const after = await app.inject({ method: 'GET', url: '/healthz' });
    expect(after.statusCode).toBe(200);
    await app.close();
  });

  it('maps AppErrors to status codes in the Opper error shape and hides 500 internals', async () => {
    const app = await buildIngestApp({ logger, health: new HealthRegistry() });
    app.get('/boom/validation', async () => {
      throw new AppError('TH_VALIDATION', 'name: must be at most 256 characters', {
        details: { field: 'name' },
      });
    });
    app.get('/boom/kafka', async () => {
      throw new AppError('TH_KAFKA_UNAVAILABLE', 'Kafka unavailable while producing', { retryable: true });
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
    const bug = await app.inject({ method: 'GET', url: '/boom/bug' });
    expect(bug.statusCode).toBe(500);
    expect(bug.body).not.toContain('secret internals');
    const missing = await app.inject({ method: 'GET', url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().type).toBe('NotFoundError');
    await app.close();
  });
});
