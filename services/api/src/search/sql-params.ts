/**
 * Collects query parameters for SQL built from a filter: every value becomes a typed server-side
 * placeholder (`{p0:String}`), never text in the query.
 */
export class SqlParams {
  readonly values: Record<string, unknown> = {};
  #next = 0;

  add(value: unknown, type: string): string {
    const name = `p${this.#next++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }
}
