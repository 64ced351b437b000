import * as vscode from 'vscode';
import type { FoundPid } from '../core/debug';
import { findChildPid, linuxChildReader, linuxNameReader, PidFinder } from '../core/debug';
import { setting } from './config';
import type { ComponentLog } from './log';
import type { SocketsView } from './socketsView';

/** How long to keep looking for the debuggee under a terminal's shell (it may not have started yet). */
const SHELL_CHILD_TRIES = 20;
const SHELL_CHILD_DELAY_MS = 250;

/**
 * Attaches the Debuggee Sockets view to the process being debugged, from the pid the debug adapter
 * reveals (see PidFinder for the sources, most trusted first). Detaches when that session ends.
 */
export class DebuggeeTracker implements vscode.Disposable, vscode.DebugAdapterTrackerFactory {
  private readonly finders = new Map<string, PidFinder>();
  /** The session whose pid the view shows. */
  private attachedSession: vscode.DebugSession | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly view: SocketsView, private readonly log: ComponentLog) {
    this.disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory('*', this),
      vscode.debug.onDidTerminateDebugSession((s) => this.onEnd(s)),
      vscode.debug.onDidStartDebugSession((s) => this.consider(s, this.finderFor(s).sessionName(s.name))),
    );
  }

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker | undefined {
    if (!setting('debug.autoAttach', true)) return undefined;
    const finder = this.finderFor(session);
    return {
      onDidSendMessage: (m: unknown) => this.consider(session, finder.fromAdapter(m)),
      onWillReceiveMessage: (m: unknown) => this.consider(session, finder.toAdapter(m)),
    };
  }

  private finderFor(session: vscode.DebugSession): PidFinder {
    let f = this.finders.get(session.id);
    if (!f) {
      f = new PidFinder({ configuration: session.configuration as Record<string, unknown>, sessionName: session.name, adapterType: session.type });
      this.finders.set(session.id, f);
      // A pid may already be known from the configuration (attach) or the session name (js-debug child).
      const best = f.best;
      if (best) queueMicrotask(() => this.consider(session, best));
    }
    return f;
  }

  private consider(session: vscode.DebugSession, found: FoundPid | undefined): void {
    if (!found || !setting('debug.autoAttach', true)) return;
    void this.attach(session, found).catch((e) => this.log.error(`could not attach to the debuggee of ${session.name}`, e));
  }

  private async attach(session: vscode.DebugSession, found: FoundPid): Promise<void> {
    let pid: number | undefined = found.pid;
    if (found.isShell) {
      pid = undefined;
      // The walk from the shell to its child reads /proc: elsewhere there is nothing to wait for.
      const tries = process.platform === 'linux' ? SHELL_CHILD_TRIES : 0;
      const children = linuxChildReader();
      const names = linuxNameReader();
      for (let i = 0; i < tries && pid === undefined; i++) {
        pid = await findChildPid(found.pid, children, names);
        if (pid === undefined) await new Promise((r) => setTimeout(r, SHELL_CHILD_DELAY_MS));
      }
      if (pid === undefined) {
        this.log.warn(`${session.name}: terminal shell ${found.pid} has no child process; pick the debuggee by hand`);
        return;
      }
    }
    if (this.view.attachment?.pid === pid) return;
    // One debuggee per debug tree: the first pid found wins (js-debug's first child session is the
    // program); later sessions of the same tree are its subprocesses and keep the view where it is.
    const attached = this.attachedSession;
    if (attached && rootOf(attached).id === rootOf(session).id && this.view.attachment?.status.kind !== 'exited') return;
    this.attachedSession = session;
    this.log.info(`${sessionPath(session)}: debuggee pid ${pid} (from ${found.origin})`);
    this.view.attach(pid, sessionPath(session));
  }

  private onEnd(session: vscode.DebugSession): void {
    this.finders.delete(session.id);
    const attached = this.attachedSession;
    if (!attached) return;
    if (attached.id === session.id || rootOf(attached).id === session.id) {
      this.attachedSession = undefined;
      this.view.detach();
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.finders.clear();
  }
}

/** "Launch Program › server.js [1234]": child sessions shown under their parent. */
function sessionPath(session: vscode.DebugSession): string {
  return session.parentSession ? `${session.parentSession.name} › ${session.name}` : session.name;
}

function rootOf(session: vscode.DebugSession): vscode.DebugSession {
  let s = session;
  while (s.parentSession) s = s.parentSession;
  return s;
}
