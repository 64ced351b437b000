// `netstat -ano` (also `-p TCP|TCPv6|UDP|UDPv6`) on Windows. Headers are localized ("Active Connections",
// "Aktive Verbindungen", "Connexions actives", "アクティブな接続"...) so data lines are found by their shape:
//   Proto  Local  Remote  [State words]  PID     (UDP rows have no state)
// The protocol word and the numbers are never translated; some Windows builds do translate the state.
import type { Endpoint, Socket, TcpState } from '../../model';
import { tcpStateFromName } from '../../model';
import type { ParseResult } from '../source';
import { parseHostPort, splitLines } from '../darwin/address';
import type { OwnedSocket } from './winSocket';
import { uniqueSockets, windowsSocket } from './winSocket';

const PROTOCOLS = new Set(['TCP', 'TCPV6', 'UDP', 'UDPV6']);

export function parseNetstat(text: string): ParseResult<OwnedSocket> {
  const { lines, partial } = splitLines(text);
  const items: OwnedSocket[] = [];
  let skipped = 0;
  if (partial !== undefined && looksLikeData(partial)) skipped++; // cut off mid-line: the pid may be incomplete
  for (const line of lines) {
    if (!looksLikeData(line)) continue; // titles, column headers, blank lines
    const row = parseRow(line);
    if (row) items.push(row);
    else skipped++;
  }
  return { items, skipped };
}

/** The sockets of one process (TIME_WAIT rows belong to pid 0 and so never appear here). */
export function netstatSocketsForPid(text: string, pid: number): ParseResult<Socket> {
  const parsed = parseNetstat(text);
  return { items: uniqueSockets(parsed.items, pid), skipped: parsed.skipped };
}

function looksLikeData(line: string): boolean {
  const first = line.trim().split(/\s+/)[0] ?? '';
  return PROTOCOLS.has(first.toUpperCase());
}

function parseRow(line: string): OwnedSocket | undefined {
  const tokens = line.trim().split(/\s+/);
  const proto = (tokens[0] ?? '').toUpperCase();
  const tcp = proto.startsWith('TCP');
  const pidText = tokens[tokens.length - 1] ?? '';
  if (tokens.length < 4 || !/^\d+$/.test(pidText)) return undefined;
  const local = parseHostPort(tokens[1] ?? '');
  const remote = parseHostPort(tokens[2] ?? '');
  if (!local || !remote || local.host === '*') return undefined;
  const stateText = tokens.slice(3, -1).join(' ');
  if (tcp && stateText === '') return undefined;
  if (!tcp && stateText !== '') return undefined;
  const state: TcpState = tcp ? netstatState(stateText) : (remote.host === '*' ? 'CLOSE' : 'ESTABLISHED');
  const localEp: Endpoint = { address: local.host, port: local.port };
  const remoteEp: Endpoint | undefined = remote.host === '*' ? undefined : { address: remote.host, port: remote.port };
  return { pid: Number(pidText), socket: windowsSocket(tcp, state, localEp, remoteEp) };
}

/**
 * English state names, or the translations some localized Windows builds print. netstat writes in the
 * console's OEM code page, so "ABHÖREN" may reach us as "ABH\uFFFDREN": names are also matched with
 * every non-ASCII letter dropped.
 */
export function netstatState(text: string): TcpState {
  const english = tcpStateFromName(text);
  if (english !== 'UNKNOWN') return english;
  return LOCALIZED.get(fold(text)) ?? LOCALIZED.get(lossyFold(text)) ?? 'UNKNOWN';
}

const LOCALIZED_NAMES: readonly (readonly [string, TcpState])[] = [
  // German
  ['ABHÖREN', 'LISTEN'], ['HERGESTELLT', 'ESTABLISHED'], ['WARTEND', 'TIME_WAIT'],
  ['SCHLIESSEN_WARTEN', 'CLOSE_WAIT'], ['SYN_GESENDET', 'SYN_SENT'],
  // French
  ['ÉCOUTE', 'LISTEN'], ['ÉTABLIE', 'ESTABLISHED'], ['ÉTABLI', 'ESTABLISHED'],
  // Spanish, Italian
  ['ESCUCHANDO', 'LISTEN'], ['ESTABLECIDO', 'ESTABLISHED'], ['IN ASCOLTO', 'LISTEN'],
];

/** Upper case, accents removed, only A-Z and digits kept. */
function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z0-9]/g, '');
}
/** Upper case with every non-ASCII character dropped (what survives a wrong code page). */
function lossyFold(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

const LOCALIZED = new Map<string, TcpState>(
  LOCALIZED_NAMES.flatMap(([name, state]) => [[fold(name), state], [lossyFold(name), state]] as [string, TcpState][]),
);
