import { evictOldest, hashApiKey } from '@tracehouse/shared/node';

export interface ApiKeyResolverOptions {
  /** Project of a key hash; undefined for unknown or revoked keys. One ClickHouse query. */
  findProjectId: (keyHash: string) => Promise<string | undefined>;
  /** How long a valid key is trusted without asking again: the bound on revocation delay. */
  validTtlMs: number;
  /** Valid keys kept (least recently used go first). */
  maxValidKeys?: number;
  /** How long an unknown key is remembered as unknown, and how many are (a separate, small cache). */
  unknownTtlMs?: number;
  maxUnknownKeys?: number;
  /** Lookups of keys in neither cache, per second; past it keys count as unknown without a query. */
  lookupsPerSecond: number;
  now?: () => number;
}

interface Entry {
  projectId: string | undefined;
  expires: number;
}

/**
 * API key → project, with valid and unknown keys in separate caches: a flood of random bearer tokens
 * fills only the small unknown cache, so it cannot push valid keys out, and past `lookupsPerSecond`
 * new keys are refused without a query, so the flood cannot become one ClickHouse query per token.
 * Keys are only ever handled as SHA-256 hashes. A valid key whose TTL ran out while the key store is
 * unreachable keeps working until the store answers again (it cannot have been revoked meanwhile
 * through a store that is down; the revocation bound counts from when the store is reachable).
 */
export class ApiKeyResolver {
  readonly #o: Required<ApiKeyResolverOptions>;
  readonly #valid = new Map<string, Entry>();
  readonly #unknown = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<string | undefined>>();
  #second = 0;
  #lookupsThisSecond = 0;

  constructor(options: ApiKeyResolverOptions) {
    if (options.lookupsPerSecond < 1) throw new Error('ApiKeyResolver: lookupsPerSecond must be >= 1');
    this.#o = {
      maxValidKeys: 10_000,
      unknownTtlMs: 5_000,
      maxUnknownKeys: 1_000,
      now: Date.now,
      ...options,
    };
  }

  /** Lookups made and refused this second (tests and metrics). */
  get lookupsThisSecond(): number {
    return this.#lookupsThisSecond;
  }

  async projectOf(key: string): Promise<string | undefined> {
    const hash = hashApiKey(key);
    const now = this.#o.now();
    const valid = this.#valid.get(hash);
    if (valid && valid.expires > now) {
      // Re-insert: Map order is the LRU order, least recently used first.
      this.#valid.delete(hash);
      this.#valid.set(hash, valid);
      return valid.projectId;
    }
    const unknown = this.#unknown.get(hash);
    if (unknown && unknown.expires > now) return undefined;
    const pending = this.#inFlight.get(hash);
    if (pending) return pending;
    if (!this.#mayLookUp(now)) return undefined;
    const lookup = this.#lookUp(hash).finally(() => this.#inFlight.delete(hash));
    this.#inFlight.set(hash, lookup);
    return lookup;
  }

  #mayLookUp(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#lookupsThisSecond = 0;
    }
    if (this.#lookupsThisSecond >= this.#o.lookupsPerSecond) return false;
    this.#lookupsThisSecond += 1;
    return true;
  }

  async #lookUp(hash: string): Promise<string | undefined> {
    let projectId: string | undefined;
    try {
      projectId = await this.#o.findProjectId(hash);
    } catch (err) {
      // The key store is unreachable: a key that was valid stays valid until it answers again, so
      // ingestion goes on through a ClickHouse outage (Kafka holds the writes). Retried after a second.
      const stale = this.#valid.get(hash);
      if (!stale) throw err;
      stale.expires = this.#o.now() + Math.min(this.#o.validTtlMs, 1_000);
      return stale.projectId;
    }
    const now = this.#o.now();
    if (projectId) {
      if (this.#o.validTtlMs > 0)
        remember(this.#valid, hash, { projectId, expires: now + this.#o.validTtlMs }, this.#o.maxValidKeys);
    } else {
      this.#valid.delete(hash);
      remember(
        this.#unknown,
        hash,
        { projectId, expires: now + this.#o.unknownTtlMs },
        this.#o.maxUnknownKeys,
      );
    }
    return projectId;
  }
}

function remember(map: Map<string, Entry>, hash: string, entry: Entry, max: number): void {
  map.delete(hash);
  map.set(hash, entry);
  evictOldest(map, max);
}
