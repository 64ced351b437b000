// The socket origins of an attached process, kept up to date as it samples: the recorder's file is
// read again only when the process has a socket the last read did not see (and at most once per
// `minIntervalMs`), and symbolization reuses one addr2line cache. A process without a record is read
// again only every `unrecordedRetryMs` and only when it has new sockets: a runtime recorder (Node.js
// writes in batches) may write its first record after SockScope attached, e.g. to a debuggee. A socket
// of a recorded process that a read found no record for counts as new once more: the runtime recorders
// write in batches (Node.js every ~10 ms, Python and Java every 200 ms), so its record may come just after.
import type { Socket } from '../model';
import type { ProcessOrigins } from './processOrigins';
import { readProcessOrigins } from './processOrigins';
import { Addr2lineCache } from './addr2line';
import type { Origin } from './symbolize';
import { siteKey, siteLabel } from './siteLabel';

export interface LiveSite {
  readonly key: string;
  /** `client.c:17 send_message`. */
  readonly label: string;
  readonly origin: Origin;
}

export type OriginsReader = (pid: number) => Promise<ProcessOrigins>;

export class LiveOrigins {
  private state: ProcessOrigins | undefined;
  private seen = new Set<string>();
  /** Sockets of a recorded process that one read found no record for: looked for once more. */
  private missed = new Set<string>();
  private bySocket = new Map<string, LiveSite>();
  private readonly sites = new Map<string, LiveSite>();
  private lastRead = Number.NEGATIVE_INFINITY;
  private reading: Promise<boolean> | undefined;

  constructor(readonly pid: number, private readonly read: OriginsReader = defaultReader(), private readonly minIntervalMs = 2000, private readonly unrecordedRetryMs = 5000) {}

  /** What the last read found (undefined before the first one ends). */
  get origins(): ProcessOrigins | undefined {
    return this.state;
  }

  /**
   * Brings the origins up to date with a snapshot's sockets; resolves true when what siteOf answers
   * may have changed. Concurrent calls share one read.
   */
  update(sockets: readonly Socket[], now = Date.now()): Promise<boolean> {
    if (this.reading) return this.reading;
    const key = socketKey;
    const due = this.state?.recorded ? this.minIntervalMs : this.unrecordedRetryMs;
    const needed = this.state === undefined || (now - this.lastRead >= due && sockets.some((s) => !this.seen.has(key(s))));
    if (!needed) return Promise.resolve(this.attribute(sockets));
    this.lastRead = now;
    this.reading = this.read(this.pid).then((state) => {
      this.state = state;
      const seen = new Set<string>();
      const missed = new Set<string>();
      for (const s of sockets) {
        const k = key(s);
        if (!state.recorded || this.missed.has(k) || state.originOf(s.fd, s.inode)) seen.add(k);
        else missed.add(k);
      }
      this.seen = seen;
      this.missed = missed;
      this.attribute(sockets);
      return true;
    }).finally(() => { this.reading = undefined; });
    return this.reading;
  }

  /** Recomputes the socket → site map for these sockets; true when it changed. */
  private attribute(sockets: readonly Socket[]): boolean {
    const state = this.state;
    const next = new Map<string, LiveSite>();
    if (state?.recorded) {
      for (const s of sockets) {
        const o = state.originOf(s.fd, s.inode);
        if (!o) continue;
        const key = siteKey(o.origin, o.stack);
        let site = this.sites.get(key);
        if (!site) this.sites.set(key, (site = { key, label: siteLabel(o.origin), origin: o.origin }));
        next.set(s.inode, site);
      }
    }
    const changed = next.size !== this.bySocket.size || [...next].some(([inode, site]) => this.bySocket.get(inode) !== site);
    this.bySocket = next;
    return changed;
  }

  /**
   * Is this socket of a recorded process without a site only because its record has not been read
   * yet: made since the last read (the file is read at most every `minIntervalMs`), or found without a
   * record by one read and looked for once more? False once it was looked for twice, or when attributed.
   */
  pending(s: Socket): boolean {
    return !!this.state?.recorded && !this.bySocket.has(s.inode) && !this.seen.has(socketKey(s));
  }

  /** The creation site of a socket of the latest snapshot, when recorded. */
  siteOf(inode: string): LiveSite | undefined {
    return this.bySocket.get(inode);
  }
}

/** A socket as the reads remember it: its descriptor and inode (a reused descriptor is another socket). */
function socketKey(s: Socket): string {
  return `${s.fd ?? ''}/${s.inode}`;
}

function defaultReader(): OriginsReader {
  const addr2line = new Addr2lineCache();
  return (pid) => readProcessOrigins(pid, { addr2line });
}
