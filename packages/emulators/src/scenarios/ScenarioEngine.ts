import type { Clock } from '../clock';

/** One scripted transition: runs `afterMs` after the previous one, once `when` (if any) holds. */
export interface Stage {
  name: string;
  afterMs: number;
  when?: () => boolean;
  run: () => void;
}

/**
 * A level-triggered controller: `reconcile()` brings the store towards the desired state and
 * returns the earliest clock time it has to look again (a timed transition), if any.
 */
export interface Reconciler {
  reconcile(): number | undefined;
}

interface Flow {
  id: string;
  stages: Stage[];
  index: number;
  readyAt: number;
}

/**
 * Drives scripted controllers on an injectable clock: each flow is a list of stages, and
 * `tick()` runs every stage that is due. Tests advance a ManualClock; the CLI ticks on a timer.
 */
export class ScenarioEngine {
  private flows = new Map<string, Flow>();
  private readonly queue: (() => void)[] = [];
  private readonly reconcilers: Reconciler[] = [];
  private dirty = true;
  private nextDeadline: number | undefined;
  readonly history: { flow: string; stage: string; at: string }[] = [];

  constructor(readonly clock: Clock) {}

  /** Starts a flow unless one with this id exists. */
  start(id: string, stages: Stage[]) {
    if (this.flows.has(id) || stages.length === 0) return;
    this.flows.set(id, {
      id,
      stages,
      index: 0,
      readyAt: this.clock.now() + stages[0].afterMs,
    });
  }

  /** Runs `reconciler` on ticks after a `markDirty()` or once its deadline has come. */
  addReconciler(reconciler: Reconciler) {
    this.reconcilers.push(reconciler);
    this.dirty = true;
  }

  /** Something the reconcilers watch changed. */
  markDirty() {
    this.dirty = true;
  }

  private reconcile(): boolean {
    const now = this.clock.now();
    const due = this.nextDeadline !== undefined && now >= this.nextDeadline;
    if (this.reconcilers.length === 0 || (!this.dirty && !due)) return false;
    this.dirty = false;
    this.nextDeadline = undefined;
    for (const r of this.reconcilers) {
      const next = r.reconcile();
      if (next !== undefined && next > now)
        this.nextDeadline =
          this.nextDeadline === undefined
            ? next
            : Math.min(this.nextDeadline, next);
    }
    return true;
  }

  has(id: string) {
    return this.flows.has(id);
  }

  /** Work to do on the next tick (controllers must not write from inside store listeners). */
  enqueue(work: () => void) {
    this.queue.push(work);
  }

  get pending(): number {
    return this.flows.size + this.queue.length;
  }

  /** Runs queued work and every due stage; returns how many stages ran. */
  tick(): number {
    let ran = 0;
    for (let guard = 0; guard < 1000; guard++) {
      const work = this.queue.shift();
      if (work) {
        work();
        continue;
      }
      const now = this.clock.now();
      const due = [...this.flows.values()].find(f => {
        const stage = f.stages[f.index];
        return now >= f.readyAt && (!stage.when || stage.when());
      });
      if (!due) {
        // Reconcilers run until their own writes stop marking the world dirty.
        if (this.reconcile()) continue;
        break;
      }
      const stage = due.stages[due.index];
      stage.run();
      ran++;
      this.history.push({
        flow: due.id,
        stage: stage.name,
        at: new Date(now).toISOString(),
      });
      due.index++;
      if (due.index >= due.stages.length) this.flows.delete(due.id);
      else due.readyAt = now + due.stages[due.index].afterMs;
    }
    return ran;
  }

  /** With a clock that can advance: moves time in steps, ticking after each, for `ms` in total. */
  runFor(ms: number, stepMs = 1000) {
    const clock = this.clock as { advance?: (ms: number) => void };
    if (!clock.advance) throw new Error('runFor needs a ManualClock');
    this.tick();
    for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
      clock.advance(Math.min(stepMs, ms - elapsed));
      this.tick();
    }
  }
}
