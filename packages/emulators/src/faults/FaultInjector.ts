/**
 * Fault injection shared by every emulator (Kubernetes HTTP, GKE gRPC).
 *
 * Tests add rules; each transport asks `match()` once per request and applies the returned
 * fault in its own protocol terms (an HTTP status, a gRPC status code, a dropped socket...).
 */

/** What a matching request suffers. Exactly the fields that are set apply. */
export interface Fault {
  /** Delay before the request is handled (or before the other fault is applied). */
  latencyMs?: number;
  /** Answer with this HTTP status (Kubernetes) or the gRPC code mapped from it (GKE). */
  status?: number;
  /** With status 429 or 503: the Retry-After header (seconds). */
  retryAfterSeconds?: number;
  /** Destroy the connection without answering. */
  reset?: boolean;
  /** Never answer; the client has to time out. The emulator closes it when stopped. */
  hang?: boolean;
  /** For watch requests: end the stream after this many milliseconds. */
  dropWatchAfterMs?: number;
}

export interface FaultRule extends Fault {
  /** HTTP method (GET, POST...) or gRPC method name (GetCluster...); any when unset. */
  method?: string;
  /** Exact path, or a regular expression tested against the path (gRPC: the full method path). */
  path?: string | RegExp;
  /**
   * Query parameters the request must carry (HTTP only): exact value, a regular expression, or
   * `null` for "absent" — e.g. `{ fieldSelector: null }` hits the cluster-wide pod list, not a
   * field-selected one.
   */
  query?: Record<string, string | RegExp | null>;
  /** How many requests the rule applies to before it retires itself; unlimited when unset. */
  times?: number;
}

interface ActiveRule extends FaultRule {
  id: number;
  hits: number;
}

/** One request as the transport saw it (query parameters decoded). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

/** How many requests `requests` keeps (the oldest are dropped first). */
const RECORDED_REQUESTS = 2000;

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private nextId = 1;
  /** The last requests asked about (every request, faulted or not), oldest first. */
  readonly requests: RecordedRequest[] = [];

  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const id = this.nextId++;
    this.rules.push({ ...rule, id, hits: 0 });
    return () => {
      this.rules = this.rules.filter(r => r.id !== id);
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules in place (e.g. for an admin endpoint to list). */
  list(): (FaultRule & { id: number; hits: number })[] {
    return this.rules.map(r => ({ ...r }));
  }

  /** Removes one rule by the id `list()` reports; false when there is none. */
  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter(r => r.id !== id);
    return this.rules.length < before;
  }

  /** Adds a rule and returns its id (see `remove`). */
  addWithId(rule: FaultRule): number {
    const id = this.nextId;
    this.add(rule);
    return id;
  }

  /** The first rule matching the request, counted as a hit; undefined when none applies. */
  match(
    method: string,
    path: string,
    query?: URLSearchParams,
  ): Fault | undefined {
    const params = Object.fromEntries(query ?? []);
    this.requests.push({ method: method.toUpperCase(), path, query: params });
    if (this.requests.length > RECORDED_REQUESTS) this.requests.shift();
    const rule = this.rules.find(r => matches(r, method, path, params));
    if (!rule) {
      return undefined;
    }
    rule.hits += 1;
    if (rule.times !== undefined && rule.hits >= rule.times) {
      this.rules = this.rules.filter(r => r.id !== rule.id);
    }
    const {
      latencyMs,
      status,
      retryAfterSeconds,
      reset,
      hang,
      dropWatchAfterMs,
    } = rule;
    return {
      latencyMs,
      status,
      retryAfterSeconds,
      reset,
      hang,
      dropWatchAfterMs,
    };
  }
}

function matches(
  rule: FaultRule,
  method: string,
  path: string,
  query: Record<string, string>,
): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) {
    return false;
  }
  for (const [name, want] of Object.entries(rule.query ?? {})) {
    const got = query[name];
    if (want === null ? got !== undefined : got === undefined) return false;
    if (typeof want === 'string' && got !== want) return false;
    if (want instanceof RegExp && !want.test(got)) return false;
  }
  if (rule.path === undefined) {
    return true;
  }
  return typeof rule.path === 'string'
    ? rule.path === path
    : rule.path.test(path);
}

export const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));
