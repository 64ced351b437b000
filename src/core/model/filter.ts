import type { Peer, PeerOf } from './peer';
import type { Socket } from './socket';
import type { TcpState } from './tcpState';
import { tcpStateFromName } from './tcpState';

export type FilterTerm =
  | { readonly kind: 'state'; readonly state: TcpState }
  | { readonly kind: 'port'; readonly port: number }
  | { readonly kind: 'endpoint'; readonly address: string; readonly port: number }
  | { readonly kind: 'address'; readonly text: string }
  | { readonly kind: 'peer'; readonly key: string };

export interface SocketFilter {
  /** What the view says it is filtered by. */
  readonly text: string;
  readonly terms: readonly FilterTerm[];
}

/**
 * Reads what the user typed: space-separated terms, each a TCP state (`CLOSE_WAIT`, `close-wait`), a
 * port (`8303` or `:8303`, either side), an endpoint (`10.0.0.5:443`, `[::1]:80`), or part of an
 * address or UNIX path. Terms of the same kind widen the filter (any of them), different kinds narrow
 * it (all of them). Undefined for blank text.
 */
export function parseFilter(text: string): SocketFilter | undefined {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return undefined;
  return { text: words.join(' '), terms: words.map(parseTerm) };
}

function parseTerm(word: string): FilterTerm {
  const state = tcpStateFromName(word);
  if (state !== 'UNKNOWN') return { kind: 'state', state };
  const port = /^:?(\d{1,5})$/.exec(word);
  if (port?.[1] && Number(port[1]) <= 65535) return { kind: 'port', port: Number(port[1]) };
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(word);
  const plain = /^([^:[\]]+):(\d{1,5})$/.exec(word);
  const endpoint = bracketed ?? plain;
  if (endpoint?.[1] && endpoint[2] && Number(endpoint[2]) <= 65535) {
    return { kind: 'endpoint', address: endpoint[1].toLowerCase(), port: Number(endpoint[2]) };
  }
  return { kind: 'address', text: word.toLowerCase() };
}

/** The filter "Filter to This Peer" sets. */
export function peerFilter(peer: Peer): SocketFilter {
  return { text: peer.label, terms: [{ kind: 'peer', key: peer.key }] };
}

/** Whether a socket passes the filter; `peerOf` resolves peer terms. */
export function matchesFilter(s: Socket, filter: SocketFilter, peerOf: PeerOf): boolean {
  const byKind = new Map<FilterTerm['kind'], boolean>();
  for (const term of filter.terms) byKind.set(term.kind, (byKind.get(term.kind) ?? false) || matchesTerm(s, term, peerOf));
  for (const ok of byKind.values()) if (!ok) return false;
  return true;
}

function matchesTerm(s: Socket, term: FilterTerm, peerOf: PeerOf): boolean {
  const sides = s.remote ? [s.local, s.remote] : [s.local];
  switch (term.kind) {
    case 'state': return s.state === term.state;
    case 'port': return s.protocol !== 'unix' && sides.some((e) => e.port === term.port);
    case 'endpoint': return s.protocol !== 'unix' && sides.some((e) => e.port === term.port && e.address.toLowerCase() === term.address);
    case 'address': return sides.some((e) => e.address.toLowerCase().includes(term.text));
    case 'peer': return peerOf(s)?.key === term.key;
  }
}
