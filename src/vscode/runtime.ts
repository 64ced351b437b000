import * as vscode from 'vscode';
import { formatEndpoint, GROUP_BY, parseFilter, peerFilter, snapshotToJson, SORT_BY, socketToJson } from '../core/model';
import type { GroupBy, Peer, Socket, SocketFilter, SortBy } from '../core/model';
import { createSocketSource } from '../core/platform';
import type { SocketSource } from '../core/platform/source';
import { SourceError } from '../core/platform/source';
import type { LeakWarning, PortRange } from '../core/sampler';
import { readEphemeralPortRange } from '../core/sampler';
import { coveredByCloseWaitLeak } from '../core/sampler/coveredWarning';
import type { Attachment } from './attachment';
import { registerCommand } from './commands';
import { netlinkHelperEnabled, setting, toolPaths } from './config';
import type { Log } from './log';
import { parsePid } from '../core/platform/pid';
import { parsePort, pickPortOwner, pickProcess } from './processPicker';
import { HistoryPanels } from './historyPanel';
import { SnapshotCommands } from './snapshots';
import type { SocketNode } from './socketTree';
import { socketLabel } from './socketTree';
import { SocketsView } from './socketsView';
import { SocketStatusBar } from './statusBar';
import type { RunWithOriginsArgs } from './runWithOrigins';
import { RunWithOrigins } from './runWithOrigins';
import { openOrigin } from './openOrigin';
import type { Origin } from '../core/origins/symbolize';
import { siteLabel, sourceFrame } from '../core/origins/siteLabel';

/**
 * The runtime half: the Sockets view (and the Debuggee Sockets view), attach/detach, live sampling,
 * snapshots, status bar and leak notifications.
 */
export class RuntimeFeature implements vscode.Disposable {
  readonly source: SocketSource;
  readonly sockets: SocketsView;
  readonly debuggee: SocketsView;
  private readonly disposables: vscode.Disposable[] = [];
  readonly statusBars = {
    sockets: new SocketStatusBar('sockscope.status', 'SockScope: Sockets', 'sockscope.showSockets', 50),
    debuggee: new SocketStatusBar('sockscope.debuggeeStatus', 'SockScope: Debuggee Sockets', 'sockscope.showDebuggeeSockets', 49),
  };
  private readonly snapshots = new SnapshotCommands();
  readonly history: HistoryPanels;
  private ephemeralPorts: PortRange | undefined;
  /** The filter both views apply (undefined: none). */
  private filter: SocketFilter | undefined;

  constructor(private readonly log: Log, extensionUri: vscode.Uri) {
    this.history = new HistoryPanels(extensionUri);
    const rlog = log.for('runtime');
    // The platform is chosen once; tool paths come from trusted settings only (see toolPaths).
    // The netlink helper ships in the extension itself (dist/bin), never a path from settings.
    const helper = netlinkHelperEnabled() ? vscode.Uri.joinPath(extensionUri, 'dist', 'bin', 'sockscope-netlink').fsPath : undefined;
    this.source = createSocketSource(process.platform, { tools: toolPaths(), netlinkHelper: helper });
    if (process.platform === 'linux') rlog.info(helper === undefined ? 'reading /proc (sockscope.sampling.netlinkHelper is off)' : `netlink helper: ${helper} (used when present; /proc otherwise)`);
    void readEphemeralPortRange().then((r) => { this.ephemeralPorts = r; });
    this.sockets = new SocketsView('sockscope.sockets', 'sockscope.attached', this.source, () => this.ephemeralPorts, rlog);
    this.debuggee = new SocketsView('sockscope.debuggeeSockets', 'sockscope.debuggeeAttached', this.source, () => this.ephemeralPorts, log.for('debuggee'));
    this.disposables.push(this.sockets, this.debuggee, this.statusBars.sockets, this.statusBars.debuggee, this.snapshots, this.history,
      { dispose: () => this.source.dispose?.() });
    // Each view has its own status bar item, naming the process it shows.
    for (const [view, bar] of [[this.sockets, this.statusBars.sockets], [this.debuggee, this.statusBars.debuggee]] as const) {
      let watched: Attachment | undefined;
      let sub: vscode.Disposable | undefined;
      this.disposables.push(view.onDidChange((a) => {
        if (a !== watched) {
          sub?.dispose();
          watched = a;
          // Unread data in sockets that are all in the CLOSE_WAIT leak is part of that leak: no second pop-up.
          sub = a?.onDidChangeWarnings((u) => { for (const w of u.raised) if (!coveredByCloseWaitLeak(w, a.activeWarnings)) this.notify(view, a, w); });
        }
        bar.update(a);
      }), { dispose: () => sub?.dispose() });
    }
    this.applyViewSettings();
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('sockscope.view')) this.applyViewSettings();
    }));

    const cmd = (id: string, fn: (...args: never[]) => unknown): void => { this.disposables.push(registerCommand(log, id, fn)); };
    cmd('sockscope.attach', (pidArg?: unknown) => this.attachCommand(this.sockets, pidArg, 'SockScope: Attach to Process'));
    cmd('sockscope.attachDebuggee', (pidArg?: unknown) => this.attachCommand(this.debuggee, pidArg, 'SockScope: Pick the Debuggee Process'));
    cmd('sockscope.attachByPort', (portArg?: unknown) => this.attachByPort(portArg));
    cmd('sockscope.detach', () => this.sockets.detach());
    cmd('sockscope.refresh', () => this.requireAttachment().refresh(this.source));
    cmd('sockscope.showSockets', () => (this.debuggee.attachment && !this.sockets.attachment ? this.debuggee : this.sockets).reveal());
    cmd('sockscope.showDebuggeeSockets', () => this.debuggee.reveal());
    cmd('sockscope.copyAsJson', () => this.copyAsJson());
    cmd('sockscope.copySocket', (node?: SocketNode) => this.copyNode(node, 'json'));
    cmd('sockscope.copySocketText', (node?: SocketNode) => this.copyNode(node, 'text'));
    cmd('sockscope.copyRemote', (node?: SocketNode) => this.copyNode(node, 'remote'));
    cmd('sockscope.filterToPeer', (node?: SocketNode) => this.filterToPeer(node));
    cmd('sockscope.filter', (text?: unknown) => this.filterCommand(text));
    cmd('sockscope.clearFilter', () => this.setFilter(undefined));
    for (const g of GROUP_BY) cmd(`sockscope.groupBy.${g}`, () => this.updateViewSetting('groupBy', g));
    for (const o of SORT_BY) cmd(`sockscope.sortBy.${o}`, () => this.updateViewSetting('sortBy', o));
    const runner = new RunWithOrigins(extensionUri, async (pid, label) => { this.sockets.attach(pid, label); await this.sockets.reveal(); }, rlog);
    cmd('sockscope.runWithOrigins', (arg?: RunWithOriginsArgs) => runner.run(arg));
    cmd('sockscope.openOrigin', (origin?: Origin | SocketNode) => openOrigin(originOfArg(origin)));
    cmd('sockscope.showHistory', () => this.history.show(this.requireAttachment()));
    cmd('sockscope.showDebuggeeHistory', () => {
      const a = this.debuggee.attachment;
      if (!a) throw new SourceError('BAD_INPUT', 'SockScope: no debuggee is attached.');
      this.history.show(a);
    });
    cmd('sockscope.takeSnapshot', () => this.snapshots.take(this.requireSnapshot()));
    cmd('sockscope.compareWithSnapshot', () => this.snapshots.compare(this.requireSnapshot()));
    cmd('sockscope.exportSnapshot', (target?: vscode.Uri) => this.snapshots.export(this.requireSnapshot(), target));
  }

  get lastExportMessage(): string | undefined {
    return this.snapshots.lastExportMessage;
  }

  /** The attachment commands act on: the Sockets view's, else the debuggee's. */
  get activeAttachment(): Attachment | undefined {
    return this.sockets.attachment ?? this.debuggee.attachment;
  }

  private requireAttachment(): Attachment {
    const a = this.activeAttachment;
    if (!a) throw new SourceError('BAD_INPUT', 'SockScope: no process is attached. Run "SockScope: Attach to Process…" first.');
    return a;
  }

  private requireSnapshot() {
    const s = this.requireAttachment().snapshot;
    if (!s) throw new SourceError('BAD_INPUT', 'SockScope: no sockets have been read yet; wait a moment and try again.');
    return s;
  }

  private async attachCommand(view: SocketsView, pidArg: unknown, title: string): Promise<number | undefined> {
    let pid: number | undefined;
    if (pidArg !== undefined && pidArg !== null && !(typeof pidArg === 'object')) {
      pid = parsePid(pidArg);
      if (pid === undefined) throw new SourceError('BAD_INPUT', `SockScope: "${String(pidArg)}" is not a process id.`);
    } else {
      pid = await pickProcess(this.source, title);
    }
    if (pid === undefined) return undefined;
    this.ensureExists(pid);
    view.attach(pid);
    await view.reveal();
    return pid;
  }

  /**
   * Refuses a pid that does not exist, with signal 0 (no signal is sent): ESRCH means no such process,
   * EPERM means another user's process, which still attaches and the view explains what it can show.
   * The attachment's first sample follows at once, so no snapshot is taken here.
   */
  private ensureExists(pid: number): void {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') {
        throw new SourceError('NO_SUCH_PROCESS', `Process ${pid} does not exist (or has exited).`);
      }
    }
  }

  private async attachByPort(portArg: unknown): Promise<number | undefined> {
    let port = typeof portArg === 'number' || typeof portArg === 'string' ? parsePort(String(portArg)) : undefined;
    if (portArg !== undefined && port === undefined) throw new SourceError('BAD_INPUT', `SockScope: "${String(portArg)}" is not a port number (1–65535).`);
    if (port === undefined) {
      const text = await vscode.window.showInputBox({
        title: 'SockScope: Attach by Port',
        prompt: 'The local TCP or UDP port a process listens on or is bound to',
        placeHolder: 'e.g. 8080',
        validateInput: (v) => (parsePort(v) === undefined ? 'Enter a port number from 1 to 65535.' : undefined),
      });
      if (text === undefined) return undefined;
      port = parsePort(text);
      if (port === undefined) return undefined;
    }
    const owners = await this.source.findPortOwners(port);
    if (owners.length === 0) {
      void vscode.window.showWarningMessage(`SockScope: no process that this user can inspect owns port ${port}. (Another user's process needs root to be seen.)`);
      return undefined;
    }
    const pid = await pickPortOwner(owners, port);
    if (pid === undefined) return undefined;
    this.sockets.attach(pid, `port ${port}`);
    await this.sockets.reveal();
    return pid;
  }

  private async copyAsJson(): Promise<void> {
    const s = this.requireSnapshot();
    await vscode.env.clipboard.writeText(JSON.stringify(snapshotToJson(s), null, 2));
    void vscode.window.setStatusBarMessage(`SockScope: copied ${s.sockets.length} sockets as JSON`, 3000);
  }

  /** Copies a socket (as text, as JSON or its remote side) or a peer (its label or its remote side). */
  private async copyNode(node: SocketNode | undefined, what: 'text' | 'json' | 'remote'): Promise<void> {
    let text: string | undefined;
    if (node?.kind === 'socket') {
      const s: Socket = node.socket;
      if (what === 'json') text = JSON.stringify(socketToJson(s), null, 2);
      else if (what === 'remote') text = s.remote && (s.remote.port !== 0 || s.remote.address) ? formatEndpoint(s.remote, s.protocol) : undefined;
      else text = socketLabel(s);
    } else if (node?.kind === 'peer' && node.branch.peer) {
      text = what === 'remote' ? node.branch.peer.remote : node.branch.peer.label;
    }
    if (text === undefined) {
      void vscode.window.setStatusBarMessage('SockScope: this socket has no remote side', 3000);
      return;
    }
    await vscode.env.clipboard.writeText(text);
    void vscode.window.setStatusBarMessage(`SockScope: copied ${text.length > 60 ? 'the socket' : text}`, 3000);
  }

  private filterToPeer(node: SocketNode | undefined): void {
    const peer: Peer | undefined = node?.kind === 'peer' ? node.branch.peer : node?.kind === 'socket' ? node.peer : undefined;
    if (!peer) throw new SourceError('BAD_INPUT', 'SockScope: this socket has no remote side to filter to.');
    this.setFilter(peerFilter(peer));
  }

  /** "Filter…": text from the argument (tests, keybindings) or an input box; blank text clears. */
  private async filterCommand(arg: unknown): Promise<SocketFilter | undefined> {
    let text = typeof arg === 'string' ? arg : undefined;
    if (text === undefined) {
      text = await vscode.window.showInputBox({
        title: 'SockScope: Filter Sockets',
        prompt: 'A port (8303), an address or part of one (10.0.0.5, 10.0.0.5:443, /run/app.sock) or a state (CLOSE_WAIT); several narrow it down. Empty clears the filter.',
        value: this.filter?.terms.some((t) => t.kind === 'peer') ? '' : this.filter?.text ?? '',
        placeHolder: 'e.g. CLOSE_WAIT 8303',
      });
      if (text === undefined) return this.filter;
    }
    this.setFilter(parseFilter(text));
    return this.filter;
  }

  private setFilter(filter: SocketFilter | undefined): void {
    this.filter = filter;
    void vscode.commands.executeCommand('setContext', 'sockscope.filtered', filter !== undefined);
    this.applyViewSettings();
  }

  private applyViewSettings(): void {
    const groupBy = pickSetting<GroupBy>('view.groupBy', GROUP_BY, 'peer');
    const sortBy = pickSetting<SortBy>('view.sortBy', SORT_BY, 'age');
    void vscode.commands.executeCommand('setContext', 'sockscope.groupBy', groupBy);
    void vscode.commands.executeCommand('setContext', 'sockscope.sortBy', sortBy);
    const settings = { groupBy, sortBy, filter: this.filter };
    this.sockets.setSettings(settings);
    this.debuggee.setSettings(settings);
  }

  private async updateViewSetting(key: 'groupBy' | 'sortBy', value: string): Promise<void> {
    const config = vscode.workspace.getConfiguration('sockscope');
    const inspected = config.inspect(`view.${key}`);
    // Where the user keeps it: the workspace when set there, else the user settings.
    const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update(`view.${key}`, value, target);
    this.applyViewSettings();
  }

  private notify(view: SocketsView, attachment: Attachment, warning: LeakWarning): void {
    if (!setting('warnings.notify', true)) return;
    // A process that is gone, or no longer shown, raises nothing new.
    if (attachment.status.kind === 'exited' || view.attachment !== attachment) return;
    const show = 'Show Sockets';
    const scan = 'Scan Workspace for Leaks';
    // Named after the site most of its sockets were created at, when the process records origins;
    // then the first choice opens that line.
    const worded = attachment.withOrigin(warning);
    const site = worded.site && sourceFrame(worded.site) ? worded.site : undefined;
    const open = site ? `Open ${siteLabel(site)}` : undefined;
    void vscode.window.showWarningMessage(`SockScope: ${worded.title} — ${attachment.title}`, ...(open ? [open] : []), show, scan).then((choice) => {
      if (open && choice === open) void openOrigin(site);
      if (choice === show) void view.reveal();
      if (choice === scan) void vscode.commands.executeCommand('sockscope.scanWorkspace');
    });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The origin a command was given: an origin, or a tree node (a site, or a socket with one). */
function originOfArg(arg: Origin | SocketNode | undefined): Origin | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  if ('frames' in arg) return arg;
  if (arg.kind === 'site' || arg.kind === 'socket') return arg.site?.origin;
  return undefined;
}

function pickSetting<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  const value = setting<string>(key, fallback);
  return (allowed as readonly string[]).includes(value) ? value as T : fallback;
}
