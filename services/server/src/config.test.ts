import { describe, expect, it } from 'vitest';
import { isLoopbackHost, loadServerConfig } from './config.js';

describe('loadServerConfig', () => {
  it('serves ingest and api on 127.0.0.1:8080 by default', () => {
    const cfg = loadServerConfig({});
    expect(cfg.PORT).toBe(8080);
    expect(cfg.HOST).toBe('127.0.0.1');
    expect(cfg.SERVICES).toEqual(['ingest', 'api']);
  });

  it('takes PORT from the environment and bounds it', () => {
    expect(loadServerConfig({ PORT: '9090' }).PORT).toBe(9090);
    expect(() => loadServerConfig({ PORT: '65536' })).toThrow(/PORT/);
  });

  it('runs one role alone and refuses unknown roles by name', () => {
    expect(loadServerConfig({ SERVICES: 'api' }).SERVICES).toEqual(['api']);
    expect(loadServerConfig({ SERVICES: 'ingest' }).SERVICES).toEqual(['ingest']);
    expect(() => loadServerConfig({ SERVICES: 'ingest,writer' })).toThrow(/SERVICES/);
  });

  it('limits requests by default (100 per second per project)', () => {
    const cfg = loadServerConfig({});
    expect(cfg.RATE_LIMIT_MAX).toBe(100);
    expect(cfg.RATE_LIMIT_WINDOW_MS).toBe(1000);
  });
});

describe('LOCAL_PROJECT', () => {
  it('starts on a loopback HOST', () => {
    for (const HOST of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost']) {
      expect(loadServerConfig({ LOCAL_PROJECT: 'dev', HOST }).LOCAL_PROJECT).toBe('dev');
    }
  });

  it('refuses to start on a non-loopback HOST and says why', () => {
    for (const HOST of ['0.0.0.0', '::', '10.0.0.5', 'example.com']) {
      expect(() => loadServerConfig({ LOCAL_PROJECT: 'dev', HOST })).toThrow(
        /LOCAL_PROJECT: serves requests without an API key, so HOST must be a loopback address/,
      );
    }
    expect(loadServerConfig({ HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });

  it('knows loopback addresses', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
  });
});

describe('loadServerConfig limits', () => {
  it('defaults input/output to 1 MiB and checks the body limit can hold both', () => {
    expect(loadServerConfig({}).IO_MAX_BYTES).toBe(1024 * 1024);
    expect(() =>
      loadServerConfig({ IO_MAX_BYTES: String(8 * 1024 * 1024), BODY_LIMIT_BYTES: String(10 * 1024 * 1024) }),
    ).toThrow(/BODY_LIMIT_BYTES/);
  });

  it('parses CREATE_TOPICS=false as false', () => {
    expect(loadServerConfig({ CREATE_TOPICS: 'false' }).CREATE_TOPICS).toBe(false);
  });
});
