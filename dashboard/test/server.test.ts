import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardPlugin } from '../server.js';

describe('dashboardPlugin', () => {
  const app = Fastify();
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'dash-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Tracehouse</title>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    app.get('/v2/traces', async () => ({ ok: true }));
    await app.register(dashboardPlugin, { root });
  });
  afterAll(() => app.close());

  it('serves index.html at / without caching, hashed assets for a year', async () => {
    const index = await app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.body).toContain('<title>Tracehouse</title>');
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(
      (await app.inject({ url: '/assets/missing.js', headers: { accept: 'text/html' } })).statusCode,
    ).toBe(404);
  });

  it('answers browser navigations to client routes with index.html, never API or ops paths', async () => {
    const html = { accept: 'text/html,application/xhtml+xml' };
    const page = await app.inject({
      url: '/trace/6f1c0e64-3f7e-4d39-9d0b-0b7a3c3e2f10?span=x',
      headers: html,
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    for (const url of [
      '/v2/nope',
      '/v3/nope',
      '/docs/x',
      '/openapi.json',
      '/healthz',
      '/readyz',
      '/metrics',
      '/metrics/x',
    ]) {
      expect((await app.inject({ url, headers: html })).statusCode, url).toBe(404);
    }
    expect((await app.inject({ url: '/v2/traces', headers: html })).json()).toEqual({ ok: true });
    // Not a browser navigation (an API client with a typo): the JSON 404, not a page.
    expect((await app.inject({ url: '/nope' })).statusCode).toBe(404);
  });
});
