// JSON from PowerShell: `Get-NetTCPConnection -OwningProcess PID | Select-Object LocalAddress,LocalPort,
// RemoteAddress,RemotePort,State,OwningProcess | ConvertTo-Json` (one object when there is one row, an
// array otherwise, nothing at all when there are none), Get-NetUDPEndpoint rows (no Remote*/State), or
// the combined document SockScope's own script prints: {"process":{...},"tcpAvailable":true,"tcp":[...],"udp":[...]}.
import type { Endpoint, TcpState } from '../../model';
import { tcpStateFromName } from '../../model';
import type { ParseResult } from '../source';
import { normalizeIpAddress } from '../darwin/address';
import type { OwnedSocket } from './winSocket';
import { windowsSocket } from './winSocket';

/** MSFT_NetTCPConnection.State values (ConvertTo-Json writes enums as numbers unless -EnumsAsStrings). */
const STATE_BY_NUMBER: Record<number, TcpState> = {
  1: 'CLOSE', 2: 'LISTEN', 3: 'SYN_SENT', 4: 'SYN_RECV', 5: 'ESTABLISHED', 6: 'FIN_WAIT_1', 7: 'FIN_WAIT_2',
  8: 'CLOSE_WAIT', 9: 'CLOSING', 10: 'LAST_ACK', 11: 'TIME_WAIT', 12: 'CLOSE', 100: 'BOUND',
};

export interface PowerShellProcess {
  readonly pid: number;
  readonly name: string;
  readonly cmdline: string | undefined;
  readonly handleCount: number | undefined;
}

export interface PowerShellSnapshot extends ParseResult<OwnedSocket> {
  readonly process: PowerShellProcess | undefined;
  /** false when Get-NetTCPConnection does not exist (before Windows 8 / Server 2012). */
  readonly tcpAvailable: boolean;
}

/** Parses any of the JSON shapes above. Throws an Error only when the text is not JSON at all. */
export function parsePowerShellSockets(text: string): PowerShellSnapshot {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return { items: [], skipped: 0, process: undefined, tcpAvailable: true };
  const doc: unknown = JSON.parse(trimmed);
  let rows: unknown[];
  let process: PowerShellProcess | undefined;
  let tcpAvailable = true;
  if (isRecord(doc) && ('tcp' in doc || 'udp' in doc || 'process' in doc)) {
    rows = [...asArray(doc.tcp), ...asArray(doc.udp)];
    process = readProcess(doc.process);
    tcpAvailable = doc.tcpAvailable !== false;
  } else {
    rows = asArray(doc);
  }
  const items: OwnedSocket[] = [];
  let skipped = 0;
  for (const row of rows) {
    const owned = readRow(row);
    if (owned) items.push(owned);
    else skipped++;
  }
  return { items, skipped, process, tcpAvailable };
}

/**
 * A JSON value as a list: null/undefined is empty, an array is itself, a single object is one row.
 * Windows PowerShell 5.1 sometimes wraps arrays as {"value":[...],"Count":n}.
 */
function asArray(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (isRecord(v) && Array.isArray(v.value) && typeof v.Count === 'number') return v.value;
  return [v];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readProcess(v: unknown): PowerShellProcess | undefined {
  if (!isRecord(v)) return undefined;
  const pid = intField(v.ProcessId);
  if (pid === undefined) return undefined;
  return {
    pid,
    name: typeof v.Name === 'string' ? v.Name : '',
    cmdline: typeof v.CommandLine === 'string' ? v.CommandLine : undefined,
    handleCount: intField(v.HandleCount),
  };
}

function readRow(row: unknown): OwnedSocket | undefined {
  if (!isRecord(row)) return undefined;
  const pid = intField(row.OwningProcess);
  const local = readEndpoint(row.LocalAddress, row.LocalPort);
  if (pid === undefined || !local) return undefined;
  const tcp = 'State' in row || 'RemoteAddress' in row;
  if (!tcp) return { pid, socket: windowsSocket(false, 'CLOSE', local, undefined) };
  const remote = readEndpoint(row.RemoteAddress, row.RemotePort);
  const state = readState(row.State);
  if (!remote || state === undefined) return undefined;
  return { pid, socket: windowsSocket(true, state, local, remote) };
}

function readEndpoint(address: unknown, port: unknown): Endpoint | undefined {
  if (typeof address !== 'string') return undefined;
  const a = normalizeIpAddress(address);
  const p = intField(port);
  if (a === undefined || p === undefined || p > 65535) return undefined;
  return { address: a, port: p };
}

function readState(v: unknown): TcpState | undefined {
  if (typeof v === 'number') return STATE_BY_NUMBER[v] ?? 'UNKNOWN';
  if (typeof v === 'string') return /^\d+$/.test(v) ? STATE_BY_NUMBER[Number(v)] ?? 'UNKNOWN' : tcpStateFromName(v);
  return undefined;
}

function intField(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}
