/**
 * A growable byte buffer for insert bodies, reused from one insert to the next. A writer's insert body
 * is tens of MB; a fresh buffer of that size comes from the kernel as untouched pages, and faulting
 * them in cost more than writing the rows into them (measured on kafkajs' produce requests, which
 * copied each byte into about seven fresh buffers: ingest spent a third less CPU per span without).
 */
export class InsertBody {
  #buf: Buffer;
  #used = 0;

  constructor(initialBytes = 1 << 20) {
    this.#buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes reserved, written or not: what the pool counts. */
  get capacity(): number {
    return this.#buf.length;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#used;
  }

  writeText(text: string): void {
    this.#ensure(text.length * 3); // at most 3 UTF-8 bytes per UTF-16 code unit
    this.#used += this.#buf.write(text, this.#used);
  }

  writeBytes(bytes: Uint8Array): void {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  /** What was written, as a view: valid until the body is reset or written again. */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#used);
  }

  reset(): void {
    this.#used = 0;
  }

  #ensure(more: number): void {
    const needed = this.#used + more;
    if (needed <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buf.length * 2));
    this.#buf.copy(grown, 0, 0, this.#used);
    this.#buf = grown;
  }
}

/** Bodies kept for the next inserts: a few (inserts run side by side), none past `maxKeptBytes`. */
export class InsertBodyPool {
  readonly #idle: InsertBody[] = [];

  constructor(
    private readonly maxKept = 4,
    private readonly maxKeptBytes = 256 << 20,
  ) {}

  take(): InsertBody {
    const body = this.#idle.pop() ?? new InsertBody();
    body.reset();
    return body;
  }

  /** Only a body whose request is over comes back: its bytes are rewritten by the next insert. */
  giveBack(body: InsertBody): void {
    if (this.#idle.length < this.maxKept && body.capacity <= this.maxKeptBytes) this.#idle.push(body);
  }

  get idle(): number {
    return this.#idle.length;
  }
}
