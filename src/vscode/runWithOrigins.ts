// "SockScope: Run with Socket Origins…": runs a command line (typed, or a workspace file picked) in a
// terminal under `sockscope run` (the CLI bundled in the extension, run by the extension host's own
// Node), then attaches the Sockets view to the program it started. No shell runs the line: it is split
// into words (core/origins/commandLine.ts), so the process attached to is the program itself.
import { promises as fs } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { findChildPid, linuxChildReader } from '../core/debug';
import { parseCommandLine, quoteCommandLine } from '../core/origins/commandLine';
import { SourceError } from '../core/platform/source';
import type { ComponentLog } from './log';

/** Arguments the command takes from tests, keybindings and the "origins unknown" row. */
export interface RunWithOriginsArgs {
  /** The command line, as words or as one line to split. */
  readonly command?: string | readonly string[];
  readonly cwd?: string;
  /** Prefill the input with this running process's command line and folder (to restart it with origins). */
  readonly restartPid?: number;
}

const FIND_CHILD_TRIES = 40;
const FIND_CHILD_DELAY_MS = 100;
const SCRIPT_RUNNERS: Readonly<Record<string, string>> = { '.js': 'node', '.cjs': 'node', '.mjs': 'node', '.py': 'python3' };

export class RunWithOrigins {
  constructor(private readonly extensionUri: vscode.Uri, private readonly attach: (pid: number, label: string) => Promise<void>, private readonly log: ComponentLog) {}

  /** Runs the command and attaches; resolves to the program's pid (undefined when cancelled). */
  async run(arg?: RunWithOriginsArgs): Promise<number | undefined> {
    if (process.platform !== 'linux') throw new SourceError('BAD_INPUT', 'SockScope: socket origins are recorded on Linux only (macOS and Windows are not supported yet).');
    // Like tasks and debugging, running the workspace's programs waits for the workspace to be trusted.
    if (!vscode.workspace.isTrusted) throw new SourceError('BAD_INPUT', 'SockScope: Run with Socket Origins runs programs, which this untrusted workspace does not allow. Trust the workspace first (Workspaces: Manage Workspace Trust).');
    const args = arg && typeof arg === 'object' ? arg : {};
    let cwd = args.cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    let argv: readonly string[] | undefined;
    if (Array.isArray(args.command)) argv = args.command as readonly string[];
    else {
      let line = typeof args.command === 'string' ? args.command : undefined;
      if (line === undefined) {
        let prefill = '';
        if (typeof args.restartPid === 'number') {
          const running = await readRunning(args.restartPid);
          prefill = running.line;
          cwd = running.cwd ?? cwd;
        }
        line = await this.ask(prefill, cwd);
        if (line === undefined) return undefined;
      }
      const parsed = parseCommandLine(line);
      if ('error' in parsed) throw new SourceError('BAD_INPUT', `SockScope: cannot run "${line}": ${parsed.error}.`);
      argv = parsed.argv;
    }
    if (!argv.length || !argv[0]) throw new SourceError('BAD_INPUT', 'SockScope: no command to run.');
    return this.start(argv, cwd);
  }

  /** Asks for the command line: type one, or pick a program or script of the workspace. */
  private async ask(prefill: string, cwd: string | undefined): Promise<string | undefined> {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { line: string }>();
    qp.title = 'SockScope: Run with Socket Origins';
    qp.placeholder = 'Type a command line (e.g. ./client --port 8080), or pick a program of the workspace';
    qp.value = prefill;
    qp.matchOnDescription = true;
    qp.busy = true;
    qp.show();
    void this.candidates(cwd).then((items) => { qp.items = items; qp.busy = false; }, () => { qp.busy = false; });
    return new Promise((resolve) => {
      let done = false;
      qp.onDidAccept(() => {
        const picked = qp.selectedItems[0] ?? qp.activeItems[0];
        // A typed line that matches no program is run as typed.
        const line = picked && (qp.value.trim() === '' || picked.label.includes(qp.value.trim()) || picked.line.includes(qp.value.trim())) ? picked.line : qp.value;
        done = true;
        resolve(line.trim() ? line : undefined);
        qp.hide();
      });
      qp.onDidHide(() => { if (!done) resolve(undefined); qp.dispose(); });
    });
  }

  /** Executables and Node/Python scripts of the workspace (at most a few hundred). */
  private async candidates(cwd: string | undefined): Promise<(vscode.QuickPickItem & { line: string })[]> {
    const uris = await vscode.workspace.findFiles('**/*', '{**/node_modules/**,**/.git/**,**/.venv/**,**/.vscode-test/**}', 2000);
    const out: (vscode.QuickPickItem & { line: string })[] = [];
    for (const uri of uris) {
      const file = uri.fsPath;
      const rel = cwd && file.startsWith(cwd + path.sep) ? `./${path.relative(cwd, file)}` : file;
      const runner = SCRIPT_RUNNERS[path.extname(file)];
      if (runner) { out.push({ label: `$(file-code) ${vscode.workspace.asRelativePath(uri)}`, description: `${runner} ${rel}`, line: quoteCommandLine([runner, rel]) }); continue; }
      const st = await fs.stat(file).catch(() => undefined);
      if (st && st.isFile() && (st.mode & 0o111) !== 0) out.push({ label: `$(gear) ${vscode.workspace.asRelativePath(uri)}`, description: 'program', line: quoteCommandLine([rel]) });
      if (out.length >= 300) break;
    }
    return out.sort((a, b) => (a.description === 'program' ? 0 : 1) - (b.description === 'program' ? 0 : 1) || a.label.localeCompare(b.label));
  }

  private async start(argv: readonly string[], cwd: string | undefined): Promise<number> {
    const cli = vscode.Uri.joinPath(this.extensionUri, 'dist', 'cli.js').fsPath;
    const terminal = vscode.window.createTerminal({
      name: `SockScope: ${path.basename(argv[0] as string)}`,
      shellPath: process.execPath,
      shellArgs: [cli, 'run', '--', ...argv],
      cwd,
      // Under Electron, execPath is the editor: run it as plain Node (the program inherits the variable; only Electron reads it).
      env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : undefined,
      iconPath: new vscode.ThemeIcon('plug'),
    });
    terminal.show(true);
    const runner = await terminal.processId;
    if (runner === undefined) throw new SourceError('BAD_INPUT', 'SockScope: the terminal did not start.');
    const children = linuxChildReader();
    let pid: number | undefined;
    for (let i = 0; i < FIND_CHILD_TRIES && pid === undefined; i++) {
      pid = await findChildPid(runner, children);
      if (pid === undefined) {
        if (terminal.exitStatus) break;
        await new Promise((r) => setTimeout(r, FIND_CHILD_DELAY_MS));
      }
    }
    if (pid === undefined) throw new SourceError('BAD_INPUT', `SockScope: ${quoteCommandLine(argv)} did not start (see the terminal "${terminal.name}").`);
    this.log.info(`sockscope run: ${quoteCommandLine(argv)} is pid ${pid} (in ${cwd ?? 'the default folder'})`);
    await this.attach(pid, 'sockscope run');
    return pid;
  }
}

/** A running process's command line (quoted for a shell) and working folder, from /proc. */
async function readRunning(pid: number): Promise<{ line: string; cwd: string | undefined }> {
  const raw = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const argv = raw.split('\0');
  if (argv[argv.length - 1] === '') argv.pop();
  const cwd = await fs.readlink(`/proc/${pid}/cwd`).catch(() => undefined);
  return { line: argv.length ? quoteCommandLine(argv) : '', cwd };
}
