/**
 * What one status rebuild can reuse from the previous one, so that a rebuild costs in proportion
 * to what changed rather than to the cluster's size.
 *
 * It relies on how the informers hold objects: `ListWatch` replaces an object in its cache only
 * when its resourceVersion changed (a relist keeps the held object when the version is the same),
 * so an object that is the same reference as last time is unchanged. Every row derived from an
 * object is kept beside it (and dropped when the object leaves the informer) together with what
 * else it read (the ProvisioningRequest and Job of a Workload, the pods of a node, …) and is
 * reused while all of those are the same references. Lists keep their sorted order between
 * rebuilds: rows that left are dropped, new or re-derived rows are inserted by binary search.
 *
 * What remains linear in the cluster's size is cheap: one identity check per object and the
 * summary's counts.
 */

/** How many rows each list derived anew in the last rebuild (the rest were reused). */
export type DerivedCounts = Record<string, number>;

interface Entry<O, R, D> {
  object: O;
  row: R;
  deps: D;
  /** The rebuild that last saw this entry's object. */
  seen: number;
  /** Whether the entry is in the current sorted list. */
  listed: boolean;
  key: string;
}

export interface DeriveOptions<O, R, D> {
  /**
   * What else the row of `object` reads; `previous` is what it read when it was derived (to
   * answer quickly when nothing it reads from can have changed).
   */
  depsOf?(object: O, previous: D | undefined): D;
  /** Whether two `depsOf` results would give the same row. */
  sameDeps?(a: D, b: D): boolean;
  derive(object: O, deps: D): R;
  /** The row's key (unique in the list), by which the list is sorted (localeCompare). */
  keyOf(row: R): string;
  /** A reused row that must be adjusted anyway (e.g. clocks that depend on the time). */
  refresh?(row: R): R;
}

/** The rows of one list, derived from informer objects and reused while their inputs are the same. */
export class DerivedList<O extends object, R, D = undefined> {
  /** By object; an entry leaves with its object (a Map: faster than a WeakMap at this size). */
  private readonly entries = new Map<O, Entry<O, R, D>>();
  private sorted: Entry<O, R, D>[] = [];
  private rows: R[] = [];
  private readonly keyed = new Map<string, R>();
  private build = 0;
  /** How many rows the last call derived anew. */
  derived = 0;

  constructor(private readonly options: DeriveOptions<O, R, D>) {}

  /**
   * The rows of the last `rowsOf` by their `keyOf` key, kept up to date as rows come and go
   * (with keys unique, as namespace/name is within a kind).
   */
  byKey(): ReadonlyMap<string, R> {
    return this.keyed;
  }

  /** The rows of `objects`, sorted by `keyOf`; the same array when nothing changed. */
  rowsOf(objects: readonly O[]): R[] {
    const o = this.options;
    const build = ++this.build;
    const fresh: Entry<O, R, D>[] = [];
    let kept = 0;
    let derived = 0;
    let refreshed = false;
    for (const object of objects) {
      const entry = this.entries.get(object);
      const deps = o.depsOf ? o.depsOf(object, entry?.deps) : (undefined as D);
      if (
        entry &&
        (entry.deps === deps || (o.sameDeps && o.sameDeps(entry.deps, deps)))
      ) {
        entry.deps = deps;
        entry.seen = build;
        if (o.refresh) {
          const row = o.refresh(entry.row);
          if (row !== entry.row) {
            entry.row = row;
            if (entry.listed) this.keyed.set(entry.key, row);
            refreshed = true;
          }
        }
        if (entry.listed) kept++;
        else fresh.push(entry);
        continue;
      }
      const row = o.derive(object, deps);
      derived++;
      const created: Entry<O, R, D> = {
        object,
        row,
        deps,
        seen: build,
        listed: false,
        key: o.keyOf(row),
      };
      this.entries.set(object, created);
      fresh.push(created);
    }
    this.derived = derived;
    if (fresh.length === 0 && kept === this.sorted.length) {
      if (refreshed) this.rows = this.sorted.map(e => e.row);
      return this.rows;
    }
    // Rows whose object is gone or changed drop out; the others keep their place.
    const remaining = this.sorted.filter(e => e.seen === build);
    for (const e of this.sorted) {
      if (e.seen !== build) {
        e.listed = false;
        if (this.entries.get(e.object) === e) this.entries.delete(e.object);
        if (this.keyed.get(e.key) === e.row) this.keyed.delete(e.key);
      }
    }
    this.sorted = this.insert(remaining, fresh);
    this.rows = this.sorted.map(e => e.row);
    return this.rows;
  }

  private insert(sorted: Entry<O, R, D>[], added: Entry<O, R, D>[]) {
    const compare = (a: Entry<O, R, D>, b: Entry<O, R, D>) =>
      a.key.localeCompare(b.key);
    for (const e of added) {
      e.listed = true;
      this.keyed.set(e.key, e.row);
    }
    if (added.length > 32 && added.length * 8 > sorted.length) {
      return sorted.concat(added).sort(compare);
    }
    for (const e of added) {
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compare(sorted[mid], e) <= 0) lo = mid + 1;
        else hi = mid;
      }
      sorted.splice(lo, 0, e);
    }
    return sorted;
  }
}

/** The same elements in the same order (arrays compared by their members' identity). */
export function sameMembers(
  a: readonly unknown[] | undefined,
  b: readonly unknown[] | undefined,
): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A value computed from some inputs, computed again only when one of them changed: another
 * reference, or with `members`, arrays whose members are other references (informer lists are
 * new arrays of the same objects on every snapshot).
 */
export class Memo<T> {
  private inputs?: readonly unknown[];
  /** The last value computed. */
  value?: T;
  /** Whether the last `get` computed anew. */
  computed = false;

  constructor(private readonly members = false) {}

  get(inputs: readonly unknown[], compute: () => T): T {
    const last = this.inputs;
    this.computed = !(
      last &&
      inputs.length === last.length &&
      inputs.every((x, i) =>
        this.members
          ? sameMembers(x as unknown[], last[i] as unknown[])
          : x === last[i],
      )
    );
    if (this.computed) {
      this.value = compute();
      this.inputs = inputs;
    }
    return this.value!;
  }
}
