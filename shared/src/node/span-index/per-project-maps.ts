import { evictWhile } from '../bounded-map.js';

/**
 * Entries keyed by an id unique within its project (a span's, a trace's), one map per project, at most
 * `maxEntries` in all. Keyed by the id alone, an entry costs the heap about 120 bytes less than under
 * a `project/id` key: V8 builds such a key as a cons string and then a flat copy of it. For the span
 * index (a million entries in every ingest process) that is about a quarter of its heap, which every
 * full garbage collection marks (docs/BENCHMARKS.md: the index's size cost ingest CPU).
 *
 * Past the bound, the project holding the most entries loses its oldest (by write) first, a sixteenth
 * of the bound at a time: a project writing heavily evicts its own entries, not a quiet one's.
 */
export class PerProjectMaps<V> {
  readonly #projects = new Map<string, Map<string, V>>();
  #size = 0;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.#size;
  }

  get(project: string, id: string): V | undefined {
    return this.#projects.get(project)?.get(id);
  }

  /** Sets the entry as the project's newest. */
  set(project: string, id: string, value: V): void {
    let map = this.#projects.get(project);
    if (!map) {
      map = new Map();
      this.#projects.set(project, map);
    }
    if (map.delete(id)) this.#size--;
    map.set(id, value);
    this.#size++;
    if (this.#size > this.maxEntries) this.#evict();
  }

  #evict(): void {
    let excess = this.#size - (this.maxEntries - Math.ceil(this.maxEntries / 16));
    // One pass over the projects per sixteenth evicted, however many projects hold one entry each.
    const largestFirst = [...this.#projects].sort(([, a], [, b]) => b.size - a.size);
    for (const [project, map] of largestFirst) {
      if (excess <= 0) return;
      const keep = Math.max(0, map.size - excess);
      excess -= map.size - keep;
      this.#size -= map.size - keep;
      evictWhile(map, () => map.size > keep);
      if (map.size === 0) this.#projects.delete(project);
    }
  }
}
