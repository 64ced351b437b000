// The socket origins of an attached process, kept up to date as it samples: the recorder's file is
// read again only when the process has a socket the last read did not see (and at most once per
// `minIntervalMs`), and symbolization reuses one addr2line cache. A process that was not started with
// the recorder is read once: it will not gain one.
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
  private bySocket = new Map<string, LiveSite>();
  private readonly sites = new Map<string, LiveSite>();
  private lastRead = Number.NEGATIVE_INFINITY;
  private reading: Promise<boolean> | undefined;

  constructor(readonly pid: number, private readonly read: OriginsReader = defaultReader(), private readonly minIntervalMs = 2000) {}

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
    const key = (s: Socket) => `${s.fd ?? ''}/${s.inode}`;
    const needed = this.state === undefined
      || (this.state.recorded && now - this.lastRead >= this.minIntervalMs && sockets.some((s) => !this.seen.has(key(s))));
    if (!needed) return Promise.resolve(this.attribute(sockets));
    this.lastRead = now;
    this.reading = this.read(this.pid).then((state) => {
      this.state = state;
      this.seen = new Set(sockets.map(key));
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

  /** The creation site of a socket of the latest snapshot, when recorded. */
  siteOf(inode: string): LiveSite | undefined {
    return this.bySocket.get(inode);
  }
}

function defaultReader(): OriginsReader {
  const addr2line = new Addr2lineCache();
  return (pid) => readProcessOrigins(pid, { addr2line });
}
