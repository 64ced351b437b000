import * as vscode from 'vscode';
import { escapeMarkdown } from '../core/model';
import type { Attachment } from './attachment';

/**
 * CLOSE_WAIT count and descriptor headroom of the attached process; the warning background shows
 * only while a leak warning stands.
 */
export class SocketStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sockscope.status', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'SockScope';
    this.item.command = 'sockscope.showSockets';
  }

  update(attachment: Attachment | undefined): void {
    const snapshot = attachment?.snapshot;
    if (!attachment || !snapshot) {
      this.item.hide();
      return;
    }
    const closeWait = attachment.closeWaitCount;
    const p = snapshot.process;
    const soft = p.fdLimit?.soft;
    const headroom = p.fdCount !== undefined && typeof soft === 'number' ? soft - p.fdCount : undefined;
    const exited = attachment.status.kind === 'exited';
    this.item.text = `$(${exited ? 'debug-stop' : 'plug'}) CLOSE_WAIT ${closeWait}${headroom === undefined ? '' : ` · ${headroom} fds free`}`;
    const warnings = attachment.warnings;
    this.item.backgroundColor = warnings.length > 0 && !exited ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    // The title is the process's own name and command line: literal text, never Markdown or icons.
    const lines = [`**SockScope** — ${escapeMarkdown(attachment.title)}${exited ? ' (exited)' : ''}`, '',
      `${snapshot.sockets.length} sockets, ${closeWait} in CLOSE_WAIT`,
      p.fdCount === undefined ? 'Descriptor count unknown' : `${p.fdCount} descriptors open, limit ${soft ?? 'unlimited'}`];
    for (const w of warnings) lines.push('', `$(warning) **${escapeMarkdown(w.title)}**`);
    const md = new vscode.MarkdownString(lines.join('\n\n'), true);
    this.item.tooltip = md;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
