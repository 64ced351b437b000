// Runtime-confirmed findings in the editor: the leaking creation sites of the processes the Sockets
// views are attached to (their CLOSE_WAIT leak warning's sockets, by recorded origin), joined with the
// static findings (core/origins/confirm.ts). A finding whose acquisition created sockets that leak now
// is raised to an error that says how many and in which pid, for as long as that holds; a leaking site
// that no finding explains gets an information diagnostic at its line.
import * as vscode from 'vscode';
import type { Confirmation, ConfirmResult, LiveLeakSite } from '../core/origins/confirm';
import { confirmationText, leakingSites, unprovenText } from '../core/origins/confirm';
import { bootTimeMs, startedAtMs } from '../core/platform/linux/processStart';
import type { Attachment } from './attachment';
import type { SocketsView } from './socketsView';

export const RUNTIME_LEAK_RULE = 'sockscope.runtime-leak';

/** The live leaking sites of the attached processes; fires when they change. */
export class LiveLeakSites implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private current: readonly LiveLeakSite[] = [];
  private signature = '';
  /** A process's start as wall-clock time, worked out once per process (pid and start tick): it never changes. */
  private readonly starts = new Map<string, number | undefined>();

  constructor(private readonly views: readonly SocketsView[]) {
    for (const v of views) this.disposables.push(v.onDidChange(() => this.update()));
  }

  get sites(): readonly LiveLeakSite[] {
    return this.current;
  }

  private startedAt(pid: number, startTicks: number | undefined): number | undefined {
    if (startTicks === undefined) return undefined;
    const key = `${pid}:${startTicks}`;
    if (!this.starts.has(key)) {
      if (this.starts.size >= 64) this.starts.clear();
      const boot = bootTimeMs();
      this.starts.set(key, boot === undefined ? undefined : startedAtMs(startTicks, boot));
    }
    return this.starts.get(key);
  }

  private update(): void {
    const seen = new Set<Attachment>();
    const sites: LiveLeakSite[] = [];
    for (const v of this.views) {
      const a = v.attachment;
      // A process that has exited leaks nothing now; the same process in both views counts once.
      if (!a || seen.has(a) || a.status.kind !== 'live' || !a.origins?.recorded) continue;
      if (sites.some((s) => s.pid === a.pid)) continue;
      seen.add(a);
      sites.push(...leakingSites(a.pid, a.activeWarnings, (inode) => a.siteOf(inode), this.startedAt(a.pid, a.snapshot?.process.startTime)));
    }
    const signature = JSON.stringify(sites.map((s) => [s.pid, s.key, s.count, s.state]));
    if (signature === this.signature) return;
    this.signature = signature;
    this.current = sites;
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** A finding's diagnostic, raised to an error with what the running process says when confirmed. */
export function confirmedDiagnostic(d: vscode.Diagnostic, confirmations: readonly Confirmation[] | undefined): vscode.Diagnostic {
  if (!confirmations?.length) return d;
  const line = d.range.start.line + 1;
  const said = confirmations.map((c) => confirmationText(c, line)).join('; ');
  d.message = /[.!?]$/.test(d.message) ? `${d.message} Confirmed by the running process: ${said}.` : `${d.message} — confirmed by the running process: ${said}.`;
  d.severity = vscode.DiagnosticSeverity.Error;
  return d;
}

/**
 * Information diagnostics at leaking sites no finding explains. `changedSince(t)`: whether the file (or
 * its unsaved text) changed after time t, when the process started; the note then says the process
 * runs the code from before.
 */
export function unprovenDiagnostics(result: ConfirmResult, file: string, doc: { lineAt(line: number): { range: vscode.Range; firstNonWhitespaceCharacterIndex: number }; lineCount: number } | undefined,
  changedSince: (t: number) => boolean = () => false): vscode.Diagnostic[] {
  return (result.unproven.get(file) ?? []).map((u) => {
    const line = Math.max(0, u.line - 1);
    const range = doc && line < doc.lineCount
      ? new vscode.Range(line, doc.lineAt(line).firstNonWhitespaceCharacterIndex, line, doc.lineAt(line).range.end.character)
      : new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER);
    const d = new vscode.Diagnostic(range, unprovenText(u, u.startedAt !== undefined && changedSince(u.startedAt)), vscode.DiagnosticSeverity.Information);
    d.source = 'sockscope';
    d.code = RUNTIME_LEAK_RULE;
    return d;
  });
}
