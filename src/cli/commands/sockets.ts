// `sockscope sockets <pid> [--json]`: one snapshot of a process's sockets, grouped by TCP state
// (suspicious states such as CLOSE_WAIT first), or as JSON for scripts.

import type { Snapshot, SnapshotJson, Socket, SocketGroup } from '../../core/model';
import { SUSPICIOUS_STATES, escapeControl, formatEndpoint, groupByState, snapshotToJson } from '../../core/model';
import { snapshotOnce } from '../snapshotOnce';
import { pidArgs } from '../pidArgs';
import type { CliCommand } from '../io';
import { EXIT_OK, EXIT_USAGE } from '../io';
import { plural } from '../../core/model/plural';
import type { ProcessOrigins } from '../../core/origins/processOrigins';
import { readProcessOrigins } from '../../core/origins/processOrigins';
import type { OriginFrame } from '../../core/origins/symbolize';

const USAGE = 'Usage: sockscope sockets <pid> [--json]';


export const socketsCommand: CliCommand = async (args, io) => {
  const parsed = pidArgs(args, io, 'sockets', USAGE);
  if (typeof parsed === 'number') return parsed;
  const { pid, json } = parsed;

  const snapshot = await snapshotOnce(pid, 'sockets', io);
  if (!snapshot) return EXIT_USAGE;
  if (!json) {
    io.out(formatText(snapshot));
    return EXIT_OK;
  }
  // Origins only where the process was started with `sockscope run`; otherwise the JSON is unchanged.
  const origins = process.platform === 'linux' ? await readProcessOrigins(pid).catch((e: unknown): ProcessOrigins | undefined => {
    // The JSON goes out without origins; a refused records folder (or another failure) is said on stderr.
    io.err(`sockscope sockets: socket origins not read: ${e instanceof Error ? e.message : String(e)}\n`);
    return undefined;
  }) : undefined;
  io.out(JSON.stringify(withOrigins(snapshotToJson(snapshot), snapshot, origins), null, 2) + '\n');
  return EXIT_OK;
};

const frameJson = (f: OriginFrame) => ({ file: f.file, line: f.line, function: f.function, module: f.module });

function withOrigins(json: SnapshotJson, snapshot: Snapshot, origins: ProcessOrigins | undefined): object {
  if (!origins?.recorded) return json;
  return {
    ...json,
    sockets: json.sockets.map((s, i) => {
      const k = snapshot.sockets[i];
      const o = k ? origins.originOf(k.fd, k.inode) : undefined;
      return o ? { ...s, origin: { frames: o.origin.frames.map(frameJson), ...(o.origin.note ? { note: o.origin.note } : {}) } } : s;
    }),
  };
}

function limitText(n: number | null): string {
  return n === null ? 'unlimited' : String(n);
}

function headerLine(s: Snapshot): string {
  const p = s.process;
  const fds = p.fdCount === undefined ? '? fds' : plural(p.fdCount, 'fd');
  const limit = p.fdLimit ? ` / soft limit ${limitText(p.fdLimit.soft)} (hard ${limitText(p.fdLimit.hard)})` : '';
  const count = plural(s.sockets.length, 'socket');
  return `${escapeControl(p.name)} (pid ${p.pid}): ${fds}${limit}, ${count}`;
}

function socketColumns(k: Socket, group: SocketGroup): string[] {
  const extra = [
    group.kind === 'udp' || group.kind === 'unix' ? k.state : '',
    k.unixType ?? '',
    k.txQueue || k.rxQueue ? `tx ${k.txQueue} rx ${k.rxQueue}` : '',
  ].filter(Boolean).join('  ');
  return [
    k.fd === undefined ? 'fd ?' : k.fds ? `fds ${k.fds.join(',')}` : `fd ${k.fd}`,
    k.protocol,
    escapeControl(formatEndpoint(k.local, k.protocol)),
    k.remote ? `-> ${escapeControl(formatEndpoint(k.remote, k.protocol))}` : '',
    extra,
  ];
}

/** Pads each column to the widest cell of the whole listing so groups line up. */
function alignRows(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padStart(widths[0] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

export function formatText(s: Snapshot): string {
  const lines = [headerLine(s)];
  if (s.process.cmdline) lines.push(`  ${escapeControl(s.process.cmdline)}`);
  const groups = groupByState(s.sockets);
  const rows = alignRows(groups.flatMap((g) => g.sockets.map((k) => socketColumns(k, g))));
  let i = 0;
  for (const g of groups) {
    const warn = g.state !== undefined && SUSPICIOUS_STATES.includes(g.state) ? '  <- suspicious' : '';
    lines.push('', `${g.label} (${g.sockets.length})${warn}`);
    for (let n = 0; n < g.sockets.length; n++) lines.push(`  ${rows[i++] ?? ''}`);
  }
  if (s.sockets.length === 0) lines.push('', 'No sockets.');
  if (s.notes.length > 0) lines.push('', ...s.notes.map((n) => `note: ${escapeControl(n)}`));
  return lines.join('\n') + '\n';
}
