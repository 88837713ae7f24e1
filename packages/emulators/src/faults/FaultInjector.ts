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
  /** How many requests the rule applies to before it retires itself; unlimited when unset. */
  times?: number;
}

interface ActiveRule extends FaultRule {
  id: number;
  hits: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private nextId = 1;

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

  /** The first rule matching the request, counted as a hit; undefined when none applies. */
  match(method: string, path: string): Fault | undefined {
    const rule = this.rules.find(r => matches(r, method, path));
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

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) {
    return false;
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
