/**
 * Byte strings of a few KB cut from shared slabs, as Node cuts small Buffers from its 8 KiB pool: one
 * allocation per slab instead of one per piece (a Buffer of 4 KB or more gets an ArrayBuffer of its
 * own, whose allocation and collection cost more than the copy). A slab is freed once nothing refers to
 * a piece of it. Pieces larger than an eighth of a slab get a buffer of their own.
 */
export class ByteSlabs {
  #slab = Buffer.allocUnsafe(0);
  #used = 0;

  constructor(private readonly slabBytes = 4 << 20) {}

  /** `text` as bytes in `encoding` (utf8: at most 3 bytes per UTF-16 code unit; latin1: 1). */
  write(text: string, encoding: 'utf8' | 'latin1'): Buffer {
    if (!this.#room(encoding === 'utf8' ? text.length * 3 : text.length)) return Buffer.from(text, encoding);
    return this.#cut(this.#slab.write(text, this.#used, encoding));
  }

  /** `length` bytes written by `fill` (given a buffer and where to start; returns what it wrote). */
  fill(length: number, fill: (target: Buffer, at: number) => number): Buffer {
    if (!this.#room(length)) {
      const own = Buffer.allocUnsafe(length);
      return own.subarray(0, fill(own, 0));
    }
    return this.#cut(fill(this.#slab, this.#used));
  }

  #room(most: number): boolean {
    if (most > this.slabBytes >> 3) return false;
    if (most > this.#slab.length - this.#used) {
      this.#slab = Buffer.allocUnsafe(this.slabBytes);
      this.#used = 0;
    }
    return true;
  }

  #cut(length: number): Buffer {
    const piece = this.#slab.subarray(this.#used, this.#used + length);
    this.#used += length;
    return piece;
  }
}
