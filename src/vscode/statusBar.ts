import * as vscode from 'vscode';
import { escapeMarkdown, formatCount } from '../core/model';
import type { Attachment } from './attachment';

/**
 * One view's attached process in the status bar: its name, CLOSE_WAIT count and descriptor
 * headroom; the warning background only while a leak warning stands. Once the process has exited
 * it says so and shows no counts.
 */
export class SocketStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(id: string, name: string, command: string, priority: number) {
    this.item = vscode.window.createStatusBarItem(id, vscode.StatusBarAlignment.Left, priority);
    this.item.name = name;
    this.item.command = command;
  }

  /** What the item shows now (tests read it). */
  get shown(): { text: string; accessibility: string | undefined; tooltip: string } | undefined {
    if (!this.visible) return undefined;
    const tooltip = this.item.tooltip instanceof vscode.MarkdownString ? this.item.tooltip.value : this.item.tooltip ?? '';
    return { text: this.item.text, accessibility: this.item.accessibilityInformation?.label, tooltip };
  }

  private visible = false;

  update(attachment: Attachment | undefined): void {
    const snapshot = attachment?.snapshot;
    if (!attachment || !snapshot) {
      this.item.hide();
      this.visible = false;
      return;
    }
    const name = iconSafe(attachment.name);
    if (attachment.status.kind === 'exited') {
      this.item.text = `$(debug-stop) ${name} exited`;
      this.item.backgroundColor = undefined;
      this.item.tooltip = new vscode.MarkdownString(`**SockScope** — ${escapeMarkdown(attachment.title)} has exited; its last sockets stay in the view.`);
      this.item.accessibilityInformation = { label: `SockScope: ${attachment.title} has exited.`, role: 'button' };
      this.item.show();
      this.visible = true;
      return;
    }
    const closeWait = attachment.closeWaitCount;
    const p = snapshot.process;
    const soft = p.fdLimit?.soft;
    const headroom = p.fdCount !== undefined && typeof soft === 'number' ? soft - p.fdCount : undefined;
    const warnings = attachment.warnings;
    this.item.text = `$(${warnings.length > 0 ? 'warning' : 'plug'}) ${name}: CLOSE_WAIT ${formatCount(closeWait)}${headroom === undefined ? '' : ` · ${formatCount(headroom)} fds free`}`;
    this.item.backgroundColor = warnings.length > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const counts = `${formatCount(snapshot.sockets.length)} sockets, ${formatCount(closeWait)} in CLOSE_WAIT`;
    const fds = p.fdCount === undefined ? 'Descriptor count unknown' : `${formatCount(p.fdCount)} descriptors open, limit ${soft === null || soft === undefined ? 'unlimited' : formatCount(soft)}`;
    const lines = [`**SockScope** — ${escapeMarkdown(attachment.title)}`, escapeMarkdown(counts), escapeMarkdown(fds)];
    for (const w of warnings) lines.push(`$(warning) **${escapeMarkdown(w.title)}**`);
    this.item.tooltip = new vscode.MarkdownString(lines.join('\n\n'), true);
    const said = [`SockScope: ${attachment.title}`, counts, fds, ...warnings.map((w) => `Warning: ${w.title}`)];
    this.item.accessibilityInformation = { label: said.join('. ') + '.', role: 'button' };
    this.item.show();
    this.visible = true;
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** A process name in status bar text: no control characters, and no "$(" that would turn into an icon. */
function iconSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\$\(/g, '$\u200b(');
}
