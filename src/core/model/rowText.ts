import { formatDuration } from '../sampler/format';
import type { Peer } from './peer';
import type { Socket } from './socket';
import { formatEndpoint, isTcp } from './socket';
import type { StateAge } from './stateAge';

/** Where a socket row sits: under its peer, under its state, or in the flat list. */
export type RowContext = 'peer' | 'state' | 'none';

/**
 * A socket row's label: only what its parent nodes do not already say, the distinguishing part first.
 * Under an accepted peer ("accepted on :8303 from 127.0.0.1") the remote port (":38235"); under an
 * outgoing peer ("to 10.0.0.5:443") the local port; under a state, the remote endpoint (the local
 * port goes to the description); without one, the local endpoint.
 */
export function socketRowLabel(s: Socket, context: RowContext, peer: Peer | undefined): string {
  if (s.protocol === 'unix') {
    const local = formatEndpoint(s.local, s.protocol);
    return s.remote?.address ? `${local} → ${formatEndpoint(s.remote, s.protocol)}` : local;
  }
  if (context === 'peer' && peer && s.remote) return `:${peer.kind === 'accepted' ? s.remote.port : s.local.port}`;
  return s.remote && s.remote.port !== 0 ? formatEndpoint(s.remote, s.protocol) : formatEndpoint(s.local, s.protocol);
}

/**
 * The row's description: the state (flat list only), the local port (when the label shows the
 * remote side), fd, age in the state, protocol when not plain TCP, and queues that are not empty.
 */
export function socketRowDescription(s: Socket, context: RowContext, peer: Peer | undefined, age: StateAge | undefined, now: number): string {
  const parts: string[] = [];
  if (context === 'none') parts.push(s.state);
  const labelIsRemote = s.protocol !== 'unix' && s.remote !== undefined && s.remote.port !== 0;
  if (labelIsRemote && !(context === 'peer' && peer)) parts.push(`local :${s.local.port}`);
  if (s.fd !== undefined) parts.push(`fd ${s.fd}`);
  if (age) parts.push(formatAge(age, now));
  if (s.protocol === 'unix') parts.push(s.unixType ?? 'unix');
  else if (!(isTcp(s) && s.protocol === 'tcp')) parts.push(s.protocol);
  if (s.rxQueue > 0) parts.push(`rx ${s.rxQueue}`);
  if (s.txQueue > 0) parts.push(`tx ${s.txQueue}`);
  return parts.join(' · ');
}

/** "4 min", or "≥ 4 min" when the socket was already in this state when sampling began. */
export function formatAge(age: StateAge, now: number): string {
  return `${age.atLeast ? '≥ ' : ''}${formatDuration(Math.max(0, now - age.since))}`;
}
