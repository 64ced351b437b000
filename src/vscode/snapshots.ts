import * as vscode from 'vscode';
import type { Snapshot, Socket } from '../core/model';
import { diffSnapshots, formatCount, groupByState, snapshotToJson, summarizeTransitions, transitionLabel } from '../core/model';
import { socketLabel } from './socketTree';

export const DIFF_SCHEME = 'sockscope-diff';
/** Peers listed under each transition of the summary; the rest are added up. */
const PEERS_PER_TRANSITION = 5;

/** Take Snapshot / Compare with Snapshot / Export Snapshot. The comparison opens as a read-only document. */
export class SnapshotCommands implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private saved: Snapshot | undefined;
  private readonly documents = new Map<string, string>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, this);
  private counter = 0;
  /** The message the last export showed (tests read it). */
  lastExportMessage: string | undefined;

  get hasSnapshot(): boolean {
    return this.saved !== undefined;
  }

  take(snapshot: Snapshot): void {
    this.saved = snapshot;
    void vscode.commands.executeCommand('setContext', 'sockscope.hasSnapshot', true);
    void vscode.window.showInformationMessage(`SockScope: snapshot of ${snapshot.process.name} (pid ${snapshot.process.pid}) taken with ${snapshot.sockets.length} sockets. Use "Compare with Snapshot" later.`);
  }

  async compare(current: Snapshot): Promise<vscode.TextDocument | undefined> {
    if (!this.saved) {
      void vscode.window.showWarningMessage('SockScope: take a snapshot first ("SockScope: Take Snapshot").');
      return undefined;
    }
    const text = renderDiff(this.saved, current);
    const uri = vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/pid-${current.process.pid}-diff-${++this.counter}.md` });
    this.documents.set(uri.toString(), text);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  }

  async export(snapshot: Snapshot, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const uri = target ?? await vscode.window.showSaveDialog({
      title: 'Export Snapshot',
      filters: { JSON: ['json'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]
        ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, `sockets-${snapshot.process.pid}.json`) : undefined,
    });
    if (!uri) return undefined;
    const body = { takenAt: new Date(snapshot.takenAt).toISOString(), ...snapshotToJson(snapshot), notes: snapshot.notes };
    await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(body, null, 2) + '\n', 'utf8'));
    const open = 'Open';
    const where = uri.scheme === 'file' ? uri.fsPath : uri.toString();
    this.lastExportMessage = `SockScope: exported ${formatCount(snapshot.sockets.length)} sockets of ${snapshot.process.name} (pid ${snapshot.process.pid}) to ${where}`;
    void vscode.window.showInformationMessage(this.lastExportMessage, open).then(async (choice) => {
      if (choice === open) await vscode.window.showTextDocument(uri);
    });
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.toString()) ?? 'This comparison is no longer available.';
  }

  dispose(): void {
    this.registration.dispose();
  }
}

/**
 * Markdown comparison: first a summary by transition ("4,700 ESTABLISHED → CLOSE_WAIT"), each split
 * by peer, then the sockets opened, closed and changed, grouped by state.
 */
export function renderDiff(before: Snapshot, after: Snapshot): string {
  const diff = diffSnapshots(before, after);
  const when = (t: number): string => new Date(t).toLocaleTimeString();
  const out = [
    `# Sockets of ${after.process.name} (pid ${after.process.pid})`,
    '',
    `Snapshot ${when(before.takenAt)} (${before.sockets.length} sockets) → now ${when(after.takenAt)} (${after.sockets.length} sockets): ` +
      `${diff.opened.length} opened, ${diff.closed.length} closed, ${diff.changed.length} changed state.`,
    '',
  ];
  if (before.process.pid !== after.process.pid) out.push(`> Note: the snapshot was taken of pid ${before.process.pid}.`, '');
  out.push('## Summary', '');
  const transitions = summarizeTransitions(diff, before.sockets, after.sockets);
  if (transitions.length === 0) out.push('No socket opened, closed or changed state.', '');
  for (const t of transitions) {
    out.push(`- **${formatCount(t.count)} ${transitionLabel(t)}**`);
    const shown = t.byPeer.slice(0, PEERS_PER_TRANSITION);
    for (const p of shown) out.push(`  - ${formatCount(p.count)} ${p.label}`);
    const rest = t.byPeer.slice(PEERS_PER_TRANSITION);
    if (rest.length > 0) out.push(`  - ${formatCount(rest.reduce((n, p) => n + p.count, 0))} from ${formatCount(rest.length)} more peers`);
  }
  out.push('', '# Details', '');
  const section = (title: string, sockets: readonly Socket[]): void => {
    out.push(`## ${title} (${sockets.length})`, '');
    if (sockets.length === 0) out.push('(none)', '');
    for (const g of groupByState(sockets)) {
      out.push(`### ${g.label} (${g.sockets.length})`, '');
      for (const s of g.sockets) out.push(`- ${socketLabel(s)}${s.fd === undefined ? '' : `  (fd ${s.fd})`}`);
      out.push('');
    }
  };
  section('Opened since the snapshot', diff.opened);
  section('Closed since the snapshot', diff.closed);
  out.push(`## Changed state (${diff.changed.length})`, '');
  if (diff.changed.length === 0) out.push('(none)');
  for (const [a, b] of diff.changed) out.push(`- ${socketLabel(b)}: ${a.state} → ${b.state}`);
  return out.join('\n') + '\n';
}
