import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { envBool, envInt, envList, infraEnvShape, loadConfig } from './config.js';

const schema = z.object({
  ...infraEnvShape,
  FLAG: envBool(true),
  PORT: envInt(8080, 1, 65535),
  TOPICS: envList(['a']),
});

describe('loadConfig', () => {
  it('applies defaults for unset and blank variables', () => {
    const cfg = loadConfig(schema, { PORT: '' });
    expect(cfg.PORT).toBe(8080);
    expect(cfg.FLAG).toBe(true);
    expect(cfg.KAFKA_BROKERS).toEqual(['127.0.0.1:19092']);
    expect(cfg.CLICKHOUSE_DATABASE).toBe('tracehouse');
    expect(cfg.LOG_LEVEL).toBe('info');
    expect(cfg.CLICKHOUSE_COMPRESS_RESPONSES).toBe(false);
    expect(loadConfig(schema, { CLICKHOUSE_COMPRESS_RESPONSES: 'true' }).CLICKHOUSE_COMPRESS_RESPONSES).toBe(
      true,
    );
  });

  it('parses "false" as false, never as truthy', () => {
    expect(loadConfig(schema, { FLAG: 'false' }).FLAG).toBe(false);
    expect(loadConfig(schema, { FLAG: '0' }).FLAG).toBe(false);
    expect(loadConfig(schema, { FLAG: 'yes' }).FLAG).toBe(true);
  });

  it('rejects a boolean it does not understand', () => {
    expect(() => loadConfig(schema, { FLAG: 'maybe' })).toThrow(/FLAG/);
  });

  it('bounds numbers and names the variable', () => {
    expect(() => loadConfig(schema, { PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig(schema, { PORT: '12.5' })).toThrow(/PORT/);
    expect(() => loadConfig(schema, { PORT: 'abc' })).toThrow(/PORT/);
    expect(loadConfig(schema, { PORT: '9000' }).PORT).toBe(9000);
  });

  it('splits lists and validates broker addresses', () => {
    expect(loadConfig(schema, { KAFKA_BROKERS: 'a:1, b:2,' }).KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(() => loadConfig(schema, { KAFKA_BROKERS: 'nohostport' })).toThrow(/KAFKA_BROKERS/);
    expect(loadConfig(schema, { TOPICS: 'x,y' }).TOPICS).toEqual(['x', 'y']);
  });

  it('rejects a database name that is not a plain identifier', () => {
    expect(() => loadConfig(schema, { CLICKHOUSE_DATABASE: 'a; DROP' })).toThrow(/CLICKHOUSE_DATABASE/);
  });

  it('reports every problem at once as a TH_CONFIG AppError', () => {
    try {
      loadConfig(schema, { PORT: '0', CLICKHOUSE_URL: 'not a url' });
      expect.unreachable();
    } catch (err) {
      expect(AppError.is(err, 'TH_CONFIG')).toBe(true);
      const problems = (err as AppError).details.problems as string[];
      expect(problems.some((p) => p.startsWith('PORT'))).toBe(true);
      expect(problems.some((p) => p.startsWith('CLICKHOUSE_URL'))).toBe(true);
    }
  });
});
