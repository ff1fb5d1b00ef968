import type { ClickHouseClient } from '@clickhouse/client';
import { operations, type ReadService } from '@tracehouse/api';
import { createLogger, HealthRegistry } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { buildIngestApp } from './app.js';
import type { WriteService } from './domain/write-service.js';

describe('API reference', () => {
  it('documents exactly the /v2 routes the app serves, and serves /openapi.json and /docs without a key', async () => {
    const served = new Set<string>();
    const app = await buildIngestApp({
      logger: createLogger({ name: 'test', level: 'silent' }),
      health: new HealthRegistry(),
      // Routes only hold these until a request arrives; none does here.
      writes: {} as WriteService,
      reads: {} as ReadService,
      clickhouse: {} as ClickHouseClient,
      auth: { findProjectId: async () => undefined },
      onRoute: ({ method, url }) => {
        if (!url.startsWith('/v2/')) return;
        for (const m of [method].flat()) if (m !== 'HEAD') served.add(`${m.toLowerCase()} ${url}`);
      },
    });
    const documented = new Set(
      operations.flatMap((op) =>
        op.path === '/v2/export/:entity'
          ? [`${op.method} /v2/export/spans`, `${op.method} /v2/export/traces`]
          : [`${op.method} ${op.path}`],
      ),
    );
    expect([...served].sort()).toEqual([...documented].sort());

    const doc = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const body = doc.json();
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toContain('/v2/spans/{span_id}');
    const create = body.paths['/v2/spans'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['name']);
    expect(body.paths['/v2/traces'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'limit',
      'offset',
      'name',
    ]);
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
    await app.close();
  });
});
