import { describe, expect, it } from 'vitest';
import { buildStubApp } from './stub-app.test-support.js';

describe('API reference', () => {
  it('documents exactly the /v2 and /v3 routes the app serves, from the routes themselves, and serves /openapi.json and /docs without a key', async () => {
    const app = await buildStubApp();
    await app.ready();
    const served = new Set(
      app.apiRoutes.map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:([a-z_]+)/g, '{$1}')}`),
    );
    expect(served.size).toBeGreaterThanOrEqual(29);

    const doc = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const body = doc.json();
    expect(body.openapi).toBe('3.1.0');
    const documented = new Set(
      Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      ),
    );
    expect([...documented].sort()).toEqual([...served].sort());

    const create = body.paths['/v2/spans'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['name']);
    expect(create.responses['200']).toBeDefined();
    expect(create.responses['401'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/Error',
    );
    expect(body.paths['/v2/traces'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'limit',
      'offset',
      'name',
    ]);
    expect(
      body.paths['/v2/spans/{span_id}'].get.parameters.map(
        (p: { name: string; in: string }) => `${p.in}:${p.name}`,
      ),
    ).toEqual(['path:span_id']);
    expect(Object.keys(body.paths['/v2/export/spans'].post.responses['200'].content)).toEqual([
      'application/x-ndjson',
      'text/csv',
    ]);
    // v3: its own error body, and 400 (not 422) for invalid input.
    const v3Create = body.paths['/v3/spans'].post;
    expect(v3Create.requestBody.content['application/json'].schema.required).toEqual(['name']);
    expect(v3Create.responses['400'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/V3Error',
    );
    expect(v3Create.responses['422']).toBeUndefined();
    expect(body.components.schemas.V3Error.required).toEqual(['error']);
    expect(body.paths['/v3/traces'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'limit',
      'offset',
      'name',
    ]);
    expect(Object.keys(body.paths['/v3/traces/{trace_id}']).sort()).toEqual(['delete', 'get']);
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
    await app.close();
  });
});
