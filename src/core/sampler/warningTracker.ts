import type { LeakWarning } from './heuristics';

export interface WarningUpdate {
  /** Warnings that started an episode with this update: notify the user about these. */
  readonly raised: LeakWarning[];
  /** Warnings already active before, with fresh text. */
  readonly continuing: LeakWarning[];
  /** Warnings active before and gone now (their last version). */
  readonly cleared: LeakWarning[];
  /** Everything active now (raised + continuing). */
  readonly active: LeakWarning[];
}

/**
 * Turns each sample's warnings into episodes, so the UI notifies once per episode rather than once per
 * sample. A continuing warning keeps the `since` of its first sample in the episode.
 */
export class WarningTracker {
  private current = new Map<string, LeakWarning>();

  update(warnings: readonly LeakWarning[]): WarningUpdate {
    const next = new Map<string, LeakWarning>();
    const raised: LeakWarning[] = [];
    const continuing: LeakWarning[] = [];
    for (const w of warnings) {
      if (next.has(w.id)) continue;
      const before = this.current.get(w.id);
      if (before) {
        const kept = { ...w, since: Math.min(before.since, w.since) };
        continuing.push(kept);
        next.set(w.id, kept);
      } else {
        raised.push(w);
        next.set(w.id, w);
      }
    }
    const cleared = [...this.current.values()].filter((w) => !next.has(w.id));
    this.current = next;
    return { raised, continuing, cleared, active: [...next.values()] };
  }

  get active(): LeakWarning[] {
    return [...this.current.values()];
  }

  reset(): void {
    this.current = new Map();
  }
}
