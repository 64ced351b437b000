// Windows socket source. Snapshots come from one PowerShell call (Get-NetTCPConnection, Get-NetUDPEndpoint
// and Win32_Process in a single script, JSON out: no localized text to parse); when PowerShell is missing
// or fails, from `netstat -ano` plus `tasklist`. Windows has no per-socket descriptors and no descriptor
// limit; the process's handle count (any kernel object) stands in for the descriptor count.
import type { ProcessInfo, Snapshot } from '../../model';
import type { CommandRunner, PortOwner, ProcessSummary, SocketSource } from '../source';
import { SourceError } from '../source';
import type { RunResult } from '../darwin/runTool';
import { plural } from '../../model/plural';
import { checkPort, runTool } from '../darwin/runTool';
import { validPid } from '../pid';
import { netstatSocketsForPid, parseNetstat } from './netstat';
import type { PowerShellSnapshot } from './powershell';
import { parsePowerShellSockets } from './powershell';
import { parseTasklistCsv } from './tasklist';
import { uniqueSockets } from './winSocket';

export interface WindowsSourceOptions {
  readonly netstatPath: string;
  readonly powershellPath: string;
  readonly tasklistPath?: string;
  readonly now?: () => number;
}

export const NETSTAT_ARGS = ['-ano'] as const;

/** The PowerShell script for one pid (pid is a validated integer: nothing else is interpolated). */
export function powershellScript(pid: number): string {
  return [
    "$ErrorActionPreference = 'SilentlyContinue'",
    `$p = Get-CimInstance Win32_Process -Filter 'ProcessId=${pid}' | Select-Object ProcessId,Name,CommandLine,HandleCount`,
    '$tcpAvailable = [bool](Get-Command Get-NetTCPConnection)',
    `$t = @(Get-NetTCPConnection -OwningProcess ${pid} | Select-Object LocalAddress,LocalPort,RemoteAddress,RemotePort,State,OwningProcess)`,
    `$u = @(Get-NetUDPEndpoint -OwningProcess ${pid} | Select-Object LocalAddress,LocalPort,OwningProcess)`,
    '[pscustomobject]@{ process = $p; tcpAvailable = $tcpAvailable; tcp = $t; udp = $u } | ConvertTo-Json -Depth 3 -Compress',
  ].join('; ');
}

export class WindowsSocketSource implements SocketSource {
  readonly platform = 'win32';
  /** false once PowerShell turned out to be missing or too old: later snapshots go straight to netstat. */
  private powershellUsable = true;
  private netstatInFlight: Promise<RunResult> | undefined;

  constructor(private readonly runner: CommandRunner, private readonly options: WindowsSourceOptions) {}

  async listProcesses(): Promise<ProcessSummary[]> {
    const rows = await this.tasklist(['/fo', 'csv', '/nh']);
    return rows.filter((r) => r.pid > 0).map((r) => ({ pid: r.pid, name: r.name, cmdline: r.name }));
  }

  async socketCount(pid: number): Promise<number | undefined> {
    if (!validPid(pid)) return undefined;
    try {
      const res = await this.netstat();
      return res.code === 0 ? netstatSocketsForPid(res.stdout, pid).items.length : undefined;
    } catch (e) {
      if (e instanceof SourceError && e.code === 'TOOL_MISSING') throw e;
      return undefined;
    }
  }

  async snapshot(pid: number): Promise<Snapshot> {
    if (!validPid(pid)) throw new SourceError('BAD_INPUT', `"${pid}" is not a process id.`);
    let fallbackReason = 'PowerShell is not available';
    if (this.powershellUsable) {
      const ps = await this.runPowerShell(pid);
      if ('snapshot' in ps) return ps.snapshot;
      fallbackReason = ps.reason;
    }
    return this.netstatSnapshot(pid, fallbackReason);
  }

  async findPortOwners(port: number): Promise<PortOwner[]> {
    checkPort(port);
    const [res, tasks] = await Promise.all([this.netstat(), this.tasklist(['/fo', 'csv', '/nh'])]);
    this.checkNetstat(res);
    const names = new Map(tasks.map((t) => [t.pid, t.name]));
    const owners = new Map<string, PortOwner>();
    for (const { pid, socket: s } of parseNetstat(res.stdout).items) {
      if (s.protocol === 'unix' || s.local.port !== port || pid === 0) continue;
      const tcp = s.protocol === 'tcp' || s.protocol === 'tcp6';
      if (tcp && s.state !== 'LISTEN') continue;
      owners.set(`${pid}|${s.protocol}`, { pid, name: names.get(pid) ?? '', protocol: s.protocol, port, state: s.state });
    }
    return [...owners.values()].sort((a, b) => a.pid - b.pid || a.protocol.localeCompare(b.protocol));
  }

  /** A snapshot from PowerShell, or the reason to fall back to netstat. */
  private async runPowerShell(pid: number): Promise<{ snapshot: Snapshot } | { reason: string }> {
    let res: RunResult;
    try {
      res = await this.runner.run(this.options.powershellPath, ['-NoProfile', '-NonInteractive', '-Command', powershellScript(pid)]);
    } catch (e) {
      if (e instanceof SourceError && e.code === 'TOOL_MISSING') {
        this.powershellUsable = false;
        return { reason: `PowerShell not found (${this.options.powershellPath})` };
      }
      return { reason: `PowerShell failed (${e instanceof Error ? e.message : String(e)})` };
    }
    if (res.code !== 0) return { reason: `PowerShell exited with code ${res.code}` };
    let parsed: PowerShellSnapshot;
    try {
      parsed = parsePowerShellSockets(res.stdout);
    } catch {
      return { reason: 'PowerShell printed no readable JSON' };
    }
    if (!parsed.tcpAvailable) {
      this.powershellUsable = false;
      return { reason: 'Get-NetTCPConnection is not available on this Windows version' };
    }
    const proc = parsed.process;
    if (!proc || proc.pid !== pid) return { reason: `PowerShell did not find process ${pid}` };
    const notes = ['sockets from PowerShell (Get-NetTCPConnection, Get-NetUDPEndpoint)'];
    if (proc.handleCount !== undefined) notes.push('descriptor count is the Windows handle count (files, sockets, events, threads...)');
    if (parsed.skipped > 0) notes.push(`${plural(parsed.skipped, 'unreadable PowerShell row')} skipped`);
    const process: ProcessInfo = {
      pid, name: proc.name, cmdline: proc.cmdline ?? proc.name, fdCount: proc.handleCount, fdLimit: undefined,
    };
    return { snapshot: { takenAt: this.now(), process, sockets: uniqueSockets(parsed.items, pid), notes } };
  }

  private async netstatSnapshot(pid: number, fallbackReason: string): Promise<Snapshot> {
    const [res, tasks] = await Promise.all([this.netstat(), this.tasklist(['/fi', `PID eq ${pid}`, '/fo', 'csv', '/nh'])]);
    const task = tasks.find((t) => t.pid === pid);
    if (!task) throw new SourceError('NO_SUCH_PROCESS', `Process ${pid} does not exist (it may have exited).`);
    this.checkNetstat(res);
    const parsed = netstatSocketsForPid(res.stdout, pid);
    const notes = [`sockets from netstat -ano (${fallbackReason})`];
    if (parsed.skipped > 0) notes.push(`${plural(parsed.skipped, 'malformed netstat line')} skipped`);
    const process: ProcessInfo = { pid, name: task.name, cmdline: task.name, fdCount: undefined, fdLimit: undefined };
    return { takenAt: this.now(), process, sockets: parsed.items, notes };
  }

  private checkNetstat(res: RunResult): void {
    if (res.code !== 0) throw new SourceError('TOOL_FAILED', `netstat exited with code ${res.code}.`, res.stderr.trim() || undefined);
  }

  /** netstat lists every process at once: concurrent callers (a picker counting many pids) share one run. */
  private netstat(): Promise<RunResult> {
    this.netstatInFlight ??= runTool(this.runner, this.options.netstatPath, NETSTAT_ARGS,
      'netstat not found: set sockscope.tools.netstatPath (normally C:\\Windows\\System32\\NETSTAT.EXE).')
      .finally(() => { this.netstatInFlight = undefined; });
    return this.netstatInFlight;
  }

  private async tasklist(args: readonly string[]) {
    const res = await runTool(this.runner, this.options.tasklistPath ?? 'tasklist', args, 'tasklist not found: SockScope needs it to list processes.');
    if (res.code !== 0) throw new SourceError('TOOL_FAILED', `tasklist exited with code ${res.code}.`, res.stderr.trim() || undefined);
    return parseTasklistCsv(res.stdout).items;
  }


  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

