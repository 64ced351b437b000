// macOS socket source: lsof for sockets and descriptors, ps for processes, launchctl for the fd limit.
//
// One lsof call per snapshot lists every file of the pid (`lsof -nP -p PID -Tqs -F pcfdnPtTs`): sockets
// are picked by type and the numeric descriptors counted from the same output. (`-a -p PID -i -U` would
// AND -i with -U and select nothing: a file is never both an Internet and a UNIX socket.)
import type { FdLimit, ProcessInfo, Snapshot } from '../../model';
import type { CommandRunner, PortOwner, ProcessSummary, SocketSource } from '../source';
import { SourceError } from '../source';
import type { RunResult } from './runTool';
import { validPid } from '../pid';
import { plural } from '../../model/plural';
import { checkPort, runTool } from './runTool';
import { parseLaunchctlMaxfiles } from './launchctl';
import { parseLsofFields } from './lsofFields';
import { lsofFileSocket, parseLsofSockets } from './lsofSockets';
import { parsePsProcesses } from './ps';

export interface DarwinSourceOptions {
  readonly lsofPath: string;
  readonly psPath?: string;
  readonly launchctlPath?: string;
  /** Clock for Snapshot.takenAt (tests pass a fixed one). */
  readonly now?: () => number;
}

export class DarwinSocketSource implements SocketSource {
  readonly platform = 'darwin';
  private fdLimit: Promise<FdLimit | undefined> | undefined;

  constructor(private readonly runner: CommandRunner, private readonly options: DarwinSourceOptions) {}

  async listProcesses(): Promise<ProcessSummary[]> {
    const res = await this.ps(['-axo', 'pid=,user=,comm=,args=']);
    if (res.code !== 0) throw new SourceError('TOOL_FAILED', `ps exited with code ${res.code} while listing processes.`, res.stderr);
    return parsePsProcesses(res.stdout).items;
  }

  async socketCount(pid: number): Promise<number | undefined> {
    if (!validPid(pid)) return undefined;
    try {
      // Same reading as snapshot() (minus TCP details), so both agree on dup()ed descriptors.
      const res = await this.lsof(['-nP', '-p', String(pid), '-F', 'pfdnPt']);
      const parsed = parseLsofSockets(res.stdout, pid);
      return parsed.pids.includes(pid) ? parsed.items.length : undefined;
    } catch (e) {
      if (e instanceof SourceError && e.code === 'TOOL_MISSING') throw e;
      return undefined;
    }
  }

  async snapshot(pid: number): Promise<Snapshot> {
    if (!validPid(pid)) throw new SourceError('BAD_INPUT', `"${pid}" is not a process id.`);
    const [psRes, lsofRes, fdLimit] = await Promise.all([
      this.ps(['-p', String(pid), '-o', 'pid=,user=,comm=,args=']),
      this.lsof(['-nP', '-p', String(pid), '-Tqs', '-F', 'pcfdnPtTs']),
      this.launchdFdLimit(),
    ]);
    const psEntry = parsePsProcesses(psRes.stdout).items.find((p) => p.pid === pid);
    if (!psEntry) throw new SourceError('NO_SUCH_PROCESS', `Process ${pid} does not exist (it may have exited).`);

    const parsed = parseLsofSockets(lsofRes.stdout, pid);
    if (!parsed.pids.includes(pid)) {
      // lsof exits 1 and prints nothing when it may not read the process: ps says it exists, so it is permissions.
      throw new SourceError('PERMISSION',
        `lsof cannot read process ${pid} (${psEntry.name}, user ${psEntry.user ?? '?'}): it probably belongs to another user.`,
        lsofRes.stderr.trim() || undefined);
    }
    const notes: string[] = [];
    if (parsed.skipped > 0) notes.push(`${plural(parsed.skipped, 'malformed lsof line')} skipped`);
    if (parsed.truncated) notes.push('lsof output ended mid-line: the list may be incomplete');
    if (lsofRes.code !== 0) notes.push(`lsof exited with code ${lsofRes.code}: ${firstLine(lsofRes.stderr) || 'some files could not be read'}`);

    const process: ProcessInfo = {
      pid, name: parsed.command || psEntry.name, cmdline: psEntry.cmdline, fdCount: parsed.fdCount, fdLimit,
    };
    return { takenAt: (this.options.now ?? Date.now)(), process, sockets: parsed.items, notes };
  }

  async findPortOwners(port: number): Promise<PortOwner[]> {
    checkPort(port);
    const [tcp, udp] = await Promise.all([
      this.lsof(['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Ts', '-F', 'pcfPtTn']),
      this.lsof(['-nP', `-iUDP:${port}`, '-F', 'pcfPtn']),
    ]);
    const owners = new Map<string, PortOwner>();
    for (const res of [tcp, udp]) {
      // lsof exits 1 when nothing matches: that is an empty answer, not a failure.
      for (const proc of parseLsofFields(res.stdout).processes) {
        for (const file of proc.files) {
          const s = lsofFileSocket(proc, file);
          // -iUDP:PORT also matches sockets whose remote port is PORT.
          if (!s || s.protocol === 'unix' || s.local.port !== port) continue;
          owners.set(`${proc.pid}|${s.protocol}`, { pid: proc.pid, name: proc.command, protocol: s.protocol, port, state: s.state });
        }
      }
    }
    return [...owners.values()].sort((a, b) => a.pid - b.pid || a.protocol.localeCompare(b.protocol));
  }

  private launchdFdLimit(): Promise<FdLimit | undefined> {
    // System-wide and stable: asked once per source.
    this.fdLimit ??= this.runner.run(this.options.launchctlPath ?? 'launchctl', ['limit', 'maxfiles'], { timeoutMs: 5000 })
      .then((r) => parseLaunchctlMaxfiles(r.stdout), () => undefined);
    return this.fdLimit;
  }

  private lsof(args: readonly string[]): Promise<RunResult> {
    return runTool(this.runner, this.options.lsofPath, args, 'lsof not found: install it or set sockscope.tools.lsofPath.');
  }

  private ps(args: readonly string[]): Promise<RunResult> {
    return runTool(this.runner, this.options.psPath ?? 'ps', args, 'ps not found: SockScope needs /bin/ps to list processes.');
  }

}


function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? '';
}
