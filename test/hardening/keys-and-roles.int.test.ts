import { createApiKey, hashApiKey, listApiKeys, revokeApiKey } from '@tracehouse/shared/node';
import { Stack } from '@tracehouse/test-support/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, injectClient, type Json } from '../write-path/helpers.js';

/** Keys revoked from the CLI's functions stop working within the auth cache TTL; roles run apart. */
describe('key revocation and split roles', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.create();
    await stack.startWriter();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('a revoked key is refused by every process within AUTH_CACHE_TTL_MS; listings show it revoked, never the secret', async () => {
    const ttlMs = 1_500;
    const { key } = await stack.otherProjectKey();
    const servers = [
      await stack.startIngest({ AUTH_CACHE_TTL_MS: String(ttlMs) }),
      await stack.startIngest({ AUTH_CACHE_TTL_MS: String(ttlMs), SERVICES: 'api' }),
    ];
    const clients = servers.map((s) => injectClient(s.app, key));
    for (const client of clients) expect((await client.request('GET', '/v2/traces')).status).toBe(200);

    const listed = await listApiKeys(stack.clickhouse);
    const mine = listed.find((k) => hashApiKey(key).startsWith(k.id));
    expect(mine).toMatchObject({ revoked_at: null, prefix: key.slice(0, 9) });
    expect(JSON.stringify(listed)).not.toContain(key);

    const revokedAt = Date.now();
    await revokeApiKey(stack.clickhouse, mine!.prefix);
    for (const client of clients) {
      const res = await stack.eventually(
        () => client.request('GET', '/v2/traces'),
        (r) => r.status === 401,
        ttlMs + 5_000,
      );
      expect(res.status).toBe(401);
    }
    // Within the TTL plus the time a lookup takes (the bound the README states).
    expect(Date.now() - revokedAt).toBeLessThan(ttlMs + 5_000);
    const after = await listApiKeys(stack.clickhouse);
    expect(after.find((k) => k.id === mine!.id)?.revoked_at).not.toBeNull();

    // A key of a project that does not exist authenticates nobody.
    const orphan = await createApiKey(stack.clickhouse, crypto.randomUUID());
    expect((await injectClient(servers[0]!.app, orphan.key).request('GET', '/v2/traces')).status).toBe(401);
  });

  it('an ingest-only and an api-only process each serve their half of /v2 and agree through Kafka', async () => {
    const ingest = await stack.spawn('ingest', { SERVICES: 'ingest' });
    const api = await stack.spawn('ingest', { SERVICES: 'api' });
    const writer = httpClient(ingest.url, stack.apiKey);
    const reader = httpClient(api.url, stack.apiKey);
    const created = await writer.request('POST', '/v2/spans', { name: 'split-roles', input: { q: 1 } });
    expect(created.status).toBe(200);
    // Read-your-writes across processes: the api-only process waits for the acknowledged write.
    const read = await reader.request('GET', `/v2/spans/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('split-roles');
    // Each process serves only its role's routes: the other half is 404, never a bypass.
    expect((await reader.request('POST', '/v2/spans', { name: 'x' })).status).toBe(404);
    expect((await writer.request('GET', `/v2/spans/${created.body.id}`)).status).toBe(404);
    expect((await writer.request('POST', '/v2/search/spans', {})).status).toBe(404);
    // Both serve health and the reference of what they serve.
    const docs = (await (await fetch(`${api.url}/openapi.json`)).json()) as Json;
    expect(Object.keys(docs.paths)).toContain('/v2/search/spans');
    expect(docs.paths['/v2/spans']?.post).toBeUndefined();
  });
});
