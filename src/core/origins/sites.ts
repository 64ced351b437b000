// Creation sites of a process's live sockets: sockets grouped by the stack that created them, with a
// count per state, most suspicious first.
import type { Socket, TcpState } from '../model';
import { SUSPICIOUS_STATES } from '../model';
import type { ProcessOrigins } from './processOrigins';
import type { Origin } from './symbolize';
import { siteKey } from './siteLabel';

export interface OriginSite {
  readonly origin: Origin;
  readonly sockets: readonly Socket[];
  readonly states: ReadonlyMap<TcpState, number>;
  /** Sockets this site created and closed since the process started (the recorder's counts). */
  readonly created: number;
  readonly closed: number;
}

export interface OriginSites {
  readonly sites: readonly OriginSite[];
  /** Live sockets the recorder has no creation record for (inherited, or made past the C library). */
  readonly untraced: readonly Socket[];
}

function suspicious(site: { states: ReadonlyMap<TcpState, number> }): number {
  let n = 0;
  for (const s of SUSPICIOUS_STATES) n += site.states.get(s) ?? 0;
  return n;
}

export function groupBySite(sockets: readonly Socket[], origins: Extract<ProcessOrigins, { recorded: true }>): OriginSites {
  const byStack = new Map<string, { origin: Origin; stacks: Set<number>; sockets: Socket[]; states: Map<TcpState, number> }>();
  const untraced: Socket[] = [];
  for (const s of sockets) {
    const o = origins.originOf(s.fd, s.inode);
    if (!o) { untraced.push(s); continue; }
    const key = siteKey(o.origin, o.stack);
    let site = byStack.get(key);
    if (!site) byStack.set(key, (site = { origin: o.origin, stacks: new Set(), sockets: [], states: new Map() }));
    site.stacks.add(o.stack);
    site.sockets.push(s);
    site.states.set(s.state, (site.states.get(s.state) ?? 0) + 1);
  }
  const sites = [...byStack.values()].map(({ stacks, ...site }) => {
    let created = 0;
    let closed = 0;
    for (const id of stacks) {
      created += origins.record.counts.get(id)?.opens ?? 0;
      closed += origins.record.counts.get(id)?.closes ?? 0;
    }
    return { ...site, created, closed };
  });
  sites.sort((a, b) => suspicious(b) - suspicious(a) || b.sockets.length - a.sockets.length);
  return { sites, untraced };
}
