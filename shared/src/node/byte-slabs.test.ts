import { describe, expect, it } from 'vitest';
import { ByteSlabs } from './byte-slabs.js';

describe('ByteSlabs', () => {
  it('gives each piece its own bytes, across slabs, and large pieces a buffer of their own', () => {
    const slabBytes = 64 << 10;
    const slabs = new ByteSlabs(slabBytes);
    const pieces: [Buffer, Buffer][] = [];
    for (let i = 0; i < 300; i++) {
      const text = `${i} naïve 🙂 `.repeat(i % 90);
      pieces.push([slabs.write(text, 'utf8'), Buffer.from(text)]);
      const latin1 = String.fromCharCode(...Array.from({ length: i * 3 }, (_, b) => 0x80 + ((b + i) % 0x7f)));
      pieces.push([slabs.write(latin1, 'latin1'), Buffer.from(latin1, 'latin1')]);
    }
    // Written in turn, read at the end: no piece overwrote another.
    for (const [piece, expected] of pieces) expect(piece.equals(expected)).toBe(true);
    const fromSlabs = pieces.filter(([piece]) => piece.buffer.byteLength === slabBytes);
    expect(new Set(fromSlabs.map(([piece]) => piece.buffer)).size).toBeGreaterThan(5);
    expect(fromSlabs.length).toBeGreaterThan(pieces.length * 0.8);
    // Past an eighth of a slab, a piece is a buffer of its own.
    const large = slabs.write('x'.repeat(slabBytes / 8 + 1), 'latin1');
    expect(large.buffer.byteLength).not.toBe(slabBytes);
  });

  it('fills pieces in place, within a slab or (large) in a buffer of their own', () => {
    const slabBytes = 64 << 10;
    const slabs = new ByteSlabs(slabBytes);
    const pieces = Array.from({ length: 100 }, (_, i) => {
      const text = `piece ${i} `.repeat(i * 10);
      // Reserves room for more than it writes: the piece is what was written.
      return [slabs.fill(text.length + 7, (target, at) => target.write(text, at, 'latin1')), text] as const;
    });
    for (const [piece, text] of pieces) expect(piece.toString('latin1')).toBe(text);
    const large = slabs.fill(slabBytes / 8 + 1, (target, at) => target.write('x'.repeat(100), at));
    expect(large.toString()).toBe('x'.repeat(100));
    expect(large.buffer.byteLength).not.toBe(slabBytes);
  });
});
