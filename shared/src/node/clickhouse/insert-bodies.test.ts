import { describe, expect, it } from 'vitest';
import { InsertBody, InsertBodyPool } from './insert-bodies.js';

describe('InsertBody', () => {
  it('holds what was written, in order, as it grows past its first size', () => {
    const body = new InsertBody(16);
    const expected: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const text = `row ${i} naïve 🙂 ${'x'.repeat(i)}\n`;
      body.writeText(text);
      const bytes = Buffer.from(Array.from({ length: i * 7 }, (_, b) => (b * 31 + i) & 255));
      body.writeBytes(bytes);
      expected.push(Buffer.from(text), bytes);
    }
    expect(body.bytes().equals(Buffer.concat(expected))).toBe(true);
    expect(body.capacity).toBeGreaterThanOrEqual(body.bytes().length);
    body.reset();
    body.writeText('again');
    expect(body.bytes().toString()).toBe('again');
  });
});

describe('InsertBodyPool', () => {
  it('hands back a body it was given, emptied, and keeps only a few of bounded size', () => {
    const pool = new InsertBodyPool(2, 1 << 20);
    const first = pool.take();
    first.writeText('left over');
    pool.giveBack(first);
    const again = pool.take();
    expect(again).toBe(first);
    expect(again.bytes().length).toBe(0);

    const bodies = [pool.take(), pool.take(), pool.take()];
    for (const b of bodies) pool.giveBack(b);
    expect(pool.idle).toBe(2);

    const large = new InsertBody(2 << 20);
    const fresh = new InsertBodyPool(2, 1 << 20);
    fresh.giveBack(large);
    expect(fresh.idle).toBe(0);
  });
});
