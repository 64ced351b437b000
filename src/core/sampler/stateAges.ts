import type { Snapshot, Socket, StateAge } from '../model';
import { socketKey } from '../model';

interface Entry extends StateAge {
  readonly state: string;
  /** The update that last saw the socket. */
  seen: number;
}

/**
 * Remembers, per socket, the first sample that saw it in its current state: "in CLOSE_WAIT for
 * 12 min". Sockets present in the first sample are marked `atLeast` (they may have been so for
 * longer). One pass per distinct socket array: a source that hands out the same array again
 * (nothing changed) costs nothing here.
 */
export class StateAges {
  private readonly entries = new Map<string, Entry>();
  private lastSockets: readonly Socket[] | undefined;
  private updates = 0;

  update(snapshot: Snapshot): void {
    if (snapshot.sockets === this.lastSockets) return;
    const first = this.updates === 0;
    const round = ++this.updates;
    this.lastSockets = snapshot.sockets;
    for (const s of snapshot.sockets) {
      const key = socketKey(s);
      const e = this.entries.get(key);
      if (e && e.state === s.state) e.seen = round;
      else this.entries.set(key, { state: s.state, since: snapshot.takenAt, atLeast: first, seen: round });
    }
    if (this.entries.size > snapshot.sockets.length) {
      for (const [key, e] of this.entries) if (e.seen !== round) this.entries.delete(key);
    }
  }

  /** Undefined for a socket no sample has seen. */
  get(s: Socket): StateAge | undefined {
    const e = this.entries.get(socketKey(s));
    return e && e.state === s.state ? e : undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}
