/** Opaque timer handle: whatever the clock's setTimeout returned. */
export type TimerHandle = unknown;

/** Time and timers, injected so the sampler and heuristics can be tested without waiting. */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin, for fake clocks). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface FakeTimer { readonly id: number; readonly due: number; readonly fn: () => void }

/**
 * A clock that only moves when told to. Timers fire in due order (ties in creation order) while
 * `advance` walks time forward; a timer scheduled by a firing timer fires too if it is due in the window.
 */
export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: FakeTimer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, due: this.time + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers synchronously. Time never moves backwards (a timer may advance it further). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let t = this.popDue(end); t; t = this.popDue(end)) {
      this.time = Math.max(this.time, t.due);
      t.fn();
    }
    this.time = Math.max(this.time, end);
  }

  /**
   * Like `advance`, but lets promises settle after each timer (and before returning), so async work
   * started by a timer (a snapshot) completes at the fake time it was started.
   */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (let t = this.popDue(end); t; t = this.popDue(end)) {
      this.time = Math.max(this.time, t.due);
      t.fn();
      await settle();
    }
    this.time = Math.max(this.time, end);
  }

  private popDue(end: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) if (t.due <= end && (!best || t.due < best.due || (t.due === best.due && t.id < best.id))) best = t;
    if (best) this.timers = this.timers.filter((t) => t !== best);
    return best;
  }
}

/** Resolves once pending promise callbacks (and the I/O they may chain) have run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
