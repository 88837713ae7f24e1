import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  type: WatchEventType;
  /** `group/plural` of the resource. */
  resource: string;
  resourceVersion: number;
  object: Record<string, any>;
  /** MODIFIED: the object before the change (watches with selectors need it, as the watch cache does). */
  previous?: Record<string, any>;
}

export type StoreListener = (event: StoredEvent) => void;

export class ResourceVersionTooOldError extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

export interface ObjectStoreOptions {
  /** How many events are retained for watch resumption; older resourceVersions get 410 Gone. */
  watchWindow?: number;
  clock: Clock;
}

/** Code-unit order, like etcd's byte-wise key order (localeCompare would differ). */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const keyOf = (namespace: string | undefined, name: string) =>
  `${namespace ?? ''}/${name}`;

/**
 * In-memory object storage with one global, monotonically increasing resourceVersion
 * (like etcd's revision) and a bounded event log for watches.
 */
export class ObjectStore {
  private revision = 0;
  private readonly objects = new Map<
    string,
    Map<string, Record<string, any>>
  >();
  private events: StoredEvent[] = [];
  /** Highest revision dropped from the event log: watching from before it is impossible. */
  private compactedRevision = 0;
  private readonly listeners = new Set<StoreListener>();
  /** The revision each live object was created at, by uid (finer than creationTimestamp). */
  private readonly createdAt = new Map<string, number>();
  watchWindow: number;

  constructor(private readonly options: ObjectStoreOptions) {
    this.watchWindow = options.watchWindow ?? 1000;
  }

  get currentRevision(): number {
    return this.revision;
  }

  get oldestWatchableRevision(): number {
    return this.compactedRevision;
  }

  now(): string {
    return new Date(this.options.clock.now())
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  private bucket(resource: string) {
    let bucket = this.objects.get(resource);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(resource, bucket);
    }
    return bucket;
  }

  get(resource: string, namespace: string | undefined, name: string) {
    const obj = this.objects.get(resource)?.get(keyOf(namespace, name));
    return obj ? structuredClone(obj) : undefined;
  }

  /** Objects sorted by namespace/name (the order a paginated list relies on). */
  list(resource: string, namespace?: string): Record<string, any>[] {
    const bucket = this.objects.get(resource);
    if (!bucket) {
      return [];
    }
    return [...bucket.entries()]
      .filter(
        ([, o]) =>
          namespace === undefined || o.metadata.namespace === namespace,
      )
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([, o]) => structuredClone(o));
  }

  /** Stores a new object; fills uid, creationTimestamp, generation and resourceVersion. */
  create(resource: string, obj: Record<string, any>): Record<string, any> {
    const meta = obj.metadata;
    const stored = structuredClone(obj);
    stored.metadata = {
      ...meta,
      uid: meta.uid ?? randomUUID(),
      creationTimestamp: meta.creationTimestamp ?? this.now(),
      generation: 1,
      resourceVersion: String(++this.revision),
    };
    delete stored.metadata.deletionTimestamp;
    this.bucket(resource).set(keyOf(meta.namespace, meta.name), stored);
    this.createdAt.set(stored.metadata.uid, this.revision);
    this.record('ADDED', resource, stored);
    return structuredClone(stored);
  }

  /** Replaces an existing object, bumping resourceVersion (and generation when `bumpGeneration`). */
  update(resource: string, obj: Record<string, any>, bumpGeneration: boolean) {
    const meta = obj.metadata;
    const key = keyOf(meta.namespace, meta.name);
    const previous = this.bucket(resource).get(key);
    if (!previous) {
      throw new Error(`${resource} ${key} does not exist`);
    }
    const stored = structuredClone(obj);
    stored.metadata.uid = previous.metadata.uid;
    stored.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    stored.metadata.generation =
      (previous.metadata.generation ?? 1) + (bumpGeneration ? 1 : 0);
    stored.metadata.resourceVersion = String(++this.revision);
    this.bucket(resource).set(key, stored);
    this.record('MODIFIED', resource, stored, previous);
    return structuredClone(stored);
  }

  delete(resource: string, namespace: string | undefined, name: string) {
    const bucket = this.bucket(resource);
    const key = keyOf(namespace, name);
    const previous = bucket.get(key);
    if (!previous) {
      return undefined;
    }
    bucket.delete(key);
    this.createdAt.delete(previous.metadata.uid);
    const deleted = structuredClone(previous);
    deleted.metadata.resourceVersion = String(++this.revision);
    this.record('DELETED', resource, deleted);
    return structuredClone(deleted);
  }

  private record(
    type: WatchEventType,
    resource: string,
    object: Record<string, any>,
    previous?: Record<string, any>,
  ) {
    const event: StoredEvent = {
      type,
      resource,
      resourceVersion: this.revision,
      object: structuredClone(object),
      // The stored previous object is replaced, never mutated: no copy needed.
      ...(previous && { previous }),
    };
    this.events.push(event);
    this.compact();
    for (const listener of [...this.listeners]) {
      listener(event);
    }
  }

  /** Drops events beyond the window; callable after lowering `watchWindow` to force 410s. */
  compact() {
    const excess = this.events.length - Math.max(0, this.watchWindow);
    if (excess > 0) {
      const dropped = this.events.splice(0, excess);
      this.compactedRevision = dropped[dropped.length - 1].resourceVersion;
    }
  }

  /** Events of `resource` after `revision`; throws when they are no longer retained. */
  eventsSince(resource: string, revision: number): StoredEvent[] {
    if (revision < this.compactedRevision) {
      throw new ResourceVersionTooOldError(revision, this.compactedRevision);
    }
    return this.events.filter(
      e => e.resource === resource && e.resourceVersion > revision,
    );
  }

  /**
   * Creation order of a live object: the revision it was created at. Controllers that order by
   * creation time use it to break ties between objects created within the same second.
   */
  creationRevision(uid: string): number {
    return this.createdAt.get(uid) ?? Number.MAX_SAFE_INTEGER;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
