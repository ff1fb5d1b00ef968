/**
 * Last writer wins, field by field: an event may set a field only when it is newer than whoever set
 * it last. Equal versions are the same event delivered again, so it is already applied.
 */
export function fieldClaims(versions: Map<string, number>, version: number) {
  let changed = false;
  return {
    claim(key: string): boolean {
      if ((versions.get(key) ?? -1) >= version) return false;
      versions.set(key, version);
      changed = true;
      return true;
    },
    get changed(): boolean {
      return changed;
    },
  };
}
