// `sockscope origins <pid> [--json]`: where a process's live sockets were created (recorded when it was
// started with `sockscope run`), one row per creation site with its sockets counted per state.
import { escapeControl } from '../../core/model';
import { plural } from '../../core/model/plural';
import type { OriginSite } from '../../core/origins/sites';
import { groupBySite } from '../../core/origins/sites';
import { readProcessOrigins } from '../../core/origins/processOrigins';
import type { OriginFrame } from '../../core/origins/symbolize';
import { snapshotOnce } from '../snapshotOnce';
import { pidArgs } from '../pidArgs';
import type { CliCommand } from '../io';
import { EXIT_OK, EXIT_USAGE } from '../io';

const USAGE = 'Usage: sockscope origins <pid> [--json]';


export function frameText(f: OriginFrame): string {
  const where = f.file ? `${f.file}:${f.line}` : f.module;
  return f.function ? `${f.function} ${where}` : where;
}

function siteJson(site: OriginSite): object {
  return {
    frames: site.origin.frames.map((f) => ({ file: f.file, line: f.line, function: f.function, module: f.module })),
    ...(site.origin.note ? { note: site.origin.note } : {}),
    sockets: site.sockets.length,
    states: Object.fromEntries(site.states),
    created: site.created,
    closed: site.closed,
  };
}

export const originsCommand: CliCommand = async (args, io) => {
  const parsed = pidArgs(args, io, 'origins', USAGE);
  if (typeof parsed === 'number') return parsed;
  const { pid, json } = parsed;

  const snapshot = await snapshotOnce(pid, 'origins', io);
  if (!snapshot) return EXIT_USAGE;
  const origins = await readProcessOrigins(pid);
  if (!origins.recorded) {
    if (json) io.out(JSON.stringify({ pid, name: snapshot.process.name, recorded: false, reason: origins.reason }, null, 2) + '\n');
    else io.err(`sockscope origins: ${escapeControl(snapshot.process.name)} (pid ${pid}): ${escapeControl(origins.reason)}\n`);
    return json ? EXIT_OK : EXIT_USAGE;
  }
  const { sites, untraced } = groupBySite(snapshot.sockets, origins);
  if (json) {
    io.out(JSON.stringify({ pid, name: snapshot.process.name, recorded: true, sites: sites.map(siteJson), untraced: untraced.length }, null, 2) + '\n');
    return EXIT_OK;
  }
  const lines = [`${escapeControl(snapshot.process.name)} (pid ${pid}): ${plural(sites.length, 'creation site')}, ${plural(snapshot.sockets.length - untraced.length, 'socket')} with a recorded origin`];
  for (const site of sites) {
    const [first, ...callers] = site.origin.frames;
    const states = [...site.states].map(([s, n]) => `${s} ${n}`).join(', ');
    lines.push('', `${first ? escapeControl(frameText(first)) : '(no frame in the program)'} — ${states}  (created ${site.created}, closed ${site.closed})`);
    if (site.origin.note) lines.push(`  ${site.origin.note}`);
    for (const f of callers.slice(0, 4)) lines.push(`  called from ${escapeControl(frameText(f))}`);
  }
  const past = origins.runtime && origins.runtime !== 'native' ? 'made outside the runtime\'s socket classes' : 'created past the C library';
  if (untraced.length > 0) lines.push('', `${plural(untraced.length, 'socket')} without a recorded origin (inherited, or ${past})`);
  io.out(lines.join('\n') + '\n');
  return EXIT_OK;
};
