import { hashApiKey } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { ApiKeyResolver } from './api-key-resolver.js';

const project = 'c0ffee00-0000-4000-8000-000000000001';

/** A key store that counts its queries; `valid` holds hashes of the keys it knows. */
function store(valid: Set<string>) {
  const calls: string[] = [];
  return {
    calls,
    findProjectId: async (hash: string) => {
      calls.push(hash);
      return valid.has(hash) ? project : undefined;
    },
  };
}

describe('ApiKeyResolver', () => {
  it('caches a valid key for its TTL, then asks again (the revocation bound)', async () => {
    let now = 1_000_000;
    const valid = new Set([hashApiKey('th_good')]);
    const keys = store(valid);
    const resolver = new ApiKeyResolver({
      ...keys,
      validTtlMs: 30_000,
      lookupsPerSecond: 10,
      now: () => now,
    });
    expect(await resolver.projectOf('th_good')).toBe(project);
    expect(await resolver.projectOf('th_good')).toBe(project);
    expect(keys.calls).toHaveLength(1);
    valid.clear(); // revoked
    now += 29_999;
    expect(await resolver.projectOf('th_good')).toBe(project);
    now += 2;
    expect(await resolver.projectOf('th_good')).toBeUndefined();
    expect(keys.calls).toHaveLength(2);
  });

  it('a flood of random tokens neither evicts valid keys nor makes a query per token', async () => {
    let now = 5_000_000;
    const good = Array.from({ length: 50 }, (_, i) => `th_good_${i}`);
    const keys = store(new Set(good.map(hashApiKey)));
    const resolver = new ApiKeyResolver({
      ...keys,
      validTtlMs: 60_000,
      maxValidKeys: 100,
      maxUnknownKeys: 20,
      lookupsPerSecond: 100,
      now: () => now,
    });
    for (const key of good) expect(await resolver.projectOf(key)).toBe(project);
    expect(keys.calls).toHaveLength(50);
    // 10 seconds of 10,000 random tokens each.
    for (let second = 0; second < 10; second++) {
      now += 1_000;
      for (let i = 0; i < 10_000; i++)
        expect(await resolver.projectOf(`th_random_${second}_${i}`)).toBeUndefined();
    }
    // At most `lookupsPerSecond` queries per second reached the store (50 first, then 100 per second).
    expect(keys.calls.length).toBe(50 + 10 * 100);
    // Every valid key is still answered from the cache, without a query, even mid-flood.
    const before = keys.calls.length;
    for (const key of good) expect(await resolver.projectOf(key)).toBe(project);
    expect(keys.calls.length).toBe(before);
  }, 30_000);

  it('shares one query between concurrent requests with the same new key', async () => {
    const keys = store(new Set([hashApiKey('th_good')]));
    const resolver = new ApiKeyResolver({ ...keys, validTtlMs: 1_000, lookupsPerSecond: 10 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => resolver.projectOf('th_good')));
    expect(new Set(answers)).toEqual(new Set([project]));
    expect(keys.calls).toHaveLength(1);
  });

  it('remembers unknown keys briefly, apart from valid ones', async () => {
    let now = 0;
    const keys = store(new Set());
    const resolver = new ApiKeyResolver({
      ...keys,
      validTtlMs: 1_000,
      unknownTtlMs: 5_000,
      lookupsPerSecond: 10,
      now: () => now,
    });
    expect(await resolver.projectOf('th_bad')).toBeUndefined();
    expect(await resolver.projectOf('th_bad')).toBeUndefined();
    expect(keys.calls).toHaveLength(1);
    now += 5_001;
    expect(await resolver.projectOf('th_bad')).toBeUndefined();
    expect(keys.calls).toHaveLength(2);
  });

  it('never caches valid keys with a TTL of 0 (revocation takes effect at once)', async () => {
    const keys = store(new Set([hashApiKey('th_good')]));
    const resolver = new ApiKeyResolver({ ...keys, validTtlMs: 0, lookupsPerSecond: 10 });
    await resolver.projectOf('th_good');
    await resolver.projectOf('th_good');
    expect(keys.calls).toHaveLength(2);
  });
});

describe('ApiKeyResolver while the key store is down', () => {
  it('keeps a known valid key working, refuses unknown keys, and asks again once it answers', async () => {
    let now = 0;
    let down = false;
    let calls = 0;
    let valid = true;
    const resolver = new ApiKeyResolver({
      findProjectId: async () => {
        calls += 1;
        if (down) throw new Error('ECONNREFUSED');
        return valid ? project : undefined;
      },
      validTtlMs: 30_000,
      lookupsPerSecond: 100,
      now: () => now,
    });
    expect(await resolver.projectOf('th_good')).toBe(project);
    down = true;
    now += 31_000;
    expect(await resolver.projectOf('th_good')).toBe(project);
    expect(await resolver.projectOf('th_good')).toBe(project);
    expect(calls).toBe(2); // one failed lookup, then a second of grace
    await expect(resolver.projectOf('th_never_seen')).rejects.toThrow('ECONNREFUSED');
    down = false;
    valid = false; // revoked meanwhile
    now += 1_001;
    expect(await resolver.projectOf('th_good')).toBeUndefined();
  });
});
