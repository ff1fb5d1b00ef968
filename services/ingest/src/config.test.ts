import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from './config.js';

describe('loadIngestConfig', () => {
  it('serves on 127.0.0.1:8080 by default', () => {
    const cfg = loadIngestConfig({});
    expect(cfg.PORT).toBe(8080);
    expect(cfg.HOST).toBe('127.0.0.1');
  });

  it('takes PORT from the environment and bounds it', () => {
    expect(loadIngestConfig({ PORT: '9090' }).PORT).toBe(9090);
    expect(() => loadIngestConfig({ PORT: '65536' })).toThrow(/PORT/);
  });
});

describe('loadIngestConfig limits', () => {
  it('defaults input/output to 1 MiB and checks the body limit can hold both', () => {
    expect(loadIngestConfig({}).IO_MAX_BYTES).toBe(1024 * 1024);
    expect(() =>
      loadIngestConfig({ IO_MAX_BYTES: String(8 * 1024 * 1024), BODY_LIMIT_BYTES: String(10 * 1024 * 1024) }),
    ).toThrow(/BODY_LIMIT_BYTES/);
  });

  it('parses CREATE_TOPICS=false as false', () => {
    expect(loadIngestConfig({ CREATE_TOPICS: 'false' }).CREATE_TOPICS).toBe(false);
  });
});
