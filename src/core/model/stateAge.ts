import type { Socket } from './socket';

/** How long a socket has been in its current state, as far as sampling saw. */
export interface StateAge {
  /** When it was first seen in this state (ms since the epoch). */
  readonly since: number;
  /** Seen in this state in the very first sample: it may have been so for longer ("at least"). */
  readonly atLeast: boolean;
}

export type AgeOf = (s: Socket) => StateAge | undefined;

/** The older of two ages (undefined when neither is known). */
export function olderAge(a: StateAge | undefined, b: StateAge | undefined): StateAge | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.since < a.since || (b.since === a.since && b.atLeast && !a.atLeast) ? b : a;
}
