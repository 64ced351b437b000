import * as vscode from 'vscode';
import type { ProcessInfo, Snapshot, Socket, SocketGroup } from '../core/model';
import { escapeControl, escapeMarkdown, formatEndpoint, groupByState, STATE_EXPLANATIONS } from '../core/model';
import type { LeakWarning } from '../core/sampler';
import type { Attachment } from './attachment';
import { plural } from '../core/model/plural';

/** Rows shown per group before a "… more" row; Copy as JSON has them all. Keeps 100k-socket processes responsive. */
export const MAX_ROWS_PER_GROUP = 500;

export type SocketNode =
  | { readonly kind: 'warning'; readonly warning: LeakWarning }
  | { readonly kind: 'group'; readonly group: SocketGroup }
  | { readonly kind: 'socket'; readonly socket: Socket }
  | { readonly kind: 'more'; readonly group: SocketGroup; readonly hidden: number }
  | { readonly kind: 'info'; readonly key: string; readonly label: string; readonly value: string };

const GROUP_EXPLANATIONS: Record<string, string> = {
  udp: 'UDP sockets have no connection state: the kernel shows CLOSE when unconnected and ESTABLISHED after connect().',
  unix: 'UNIX domain sockets (local inter-process connections).',
};

/** Tree data for one attachment: warnings first, then one node per state group. */
export class SocketTreeProvider implements vscode.TreeDataProvider<SocketNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SocketNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private attachment: Attachment | undefined;
  private groups: SocketGroup[] = [];
  private groupedFrom: Snapshot | undefined;

  setAttachment(attachment: Attachment | undefined): void {
    this.attachment = attachment;
    this.refresh();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  private currentGroups(): SocketGroup[] {
    const snapshot = this.attachment?.snapshot;
    if (snapshot !== this.groupedFrom) {
      this.groupedFrom = snapshot;
      this.groups = snapshot ? groupByState(snapshot.sockets) : [];
    }
    return this.groups;
  }

  getChildren(node?: SocketNode): SocketNode[] {
    if (!this.attachment) return [];
    if (!node) {
      const partial = this.attachment.partial;
      if (partial) return partialRows(partial);
      const warnings: SocketNode[] = this.attachment.warnings.map((warning) => ({ kind: 'warning', warning }));
      return [...warnings, ...this.currentGroups().map((group): SocketNode => ({ kind: 'group', group }))];
    }
    if (node.kind !== 'group') return [];
    const { sockets } = node.group;
    const rows: SocketNode[] = sockets.slice(0, MAX_ROWS_PER_GROUP).map((socket) => ({ kind: 'socket', socket }));
    if (sockets.length > MAX_ROWS_PER_GROUP) rows.push({ kind: 'more', group: node.group, hidden: sockets.length - MAX_ROWS_PER_GROUP });
    return rows;
  }

  getTreeItem(node: SocketNode): vscode.TreeItem {
    switch (node.kind) {
      case 'warning': return warningItem(node.warning);
      case 'group': return groupItem(node.group);
      case 'socket': return socketItem(node.socket);
      case 'info': {
        const item = new vscode.TreeItem(node.label);
        item.id = `info:${node.key}`;
        item.description = node.value;
        item.tooltip = `${node.label}: ${node.value}`;
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(`… ${node.hidden} more ${node.group.label} sockets`);
        item.id = `more:${node.group.key}`;
        item.tooltip = 'Only the first rows are listed. Use "Copy as JSON" or "Export Snapshot" for all sockets.';
        item.command = { command: 'sockscope.copyAsJson', title: 'Copy as JSON' };
        return item;
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** What can be shown of a process whose sockets cannot be read. */
function partialRows(p: ProcessInfo): SocketNode[] {
  const limit = p.fdLimit ? `soft ${p.fdLimit.soft ?? 'unlimited'}, hard ${p.fdLimit.hard ?? 'unlimited'}` : 'unknown';
  const rows: [string, string, string][] = [
    ['name', 'Process', `${p.name} (pid ${p.pid})`],
    ['cmdline', 'Command line', p.cmdline || '—'],
    ['uid', 'User id', p.uid === undefined ? 'unknown' : String(p.uid)],
    ['limit', 'Descriptor limit', limit],
  ];
  return rows.map(([key, label, value]) => ({ kind: 'info', key, label, value }));
}

function warningItem(w: LeakWarning): vscode.TreeItem {
  const item = new vscode.TreeItem(w.title, vscode.TreeItemCollapsibleState.None);
  item.id = `warning:${w.id}`;
  item.contextValue = 'warning';
  item.iconPath = new vscode.ThemeIcon(w.severity === 'info' ? 'info' : 'warning',
    new vscode.ThemeColor(w.severity === 'critical' ? 'errorForeground' : w.severity === 'warning' ? 'problemsWarningIcon.foreground' : 'problemsInfoIcon.foreground'));
  item.description = `since ${new Date(w.since).toLocaleTimeString()}`;
  const md = new vscode.MarkdownString(`**${escapeMarkdown(w.title)}**\n\n${escapeMarkdown(w.detail)}\n\n[Scan Workspace for Socket Leaks](command:sockscope.scanWorkspace)`);
  md.isTrusted = { enabledCommands: ['sockscope.scanWorkspace'] };
  item.tooltip = md;
  return item;
}

function groupItem(g: SocketGroup): vscode.TreeItem {
  const expanded = g.kind === 'suspicious';
  const item = new vscode.TreeItem(g.label, expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `group:${g.key}`;
  item.contextValue = 'group';
  item.description = String(g.sockets.length);
  const explanation = g.state ? STATE_EXPLANATIONS[g.state] : GROUP_EXPLANATIONS[g.key] ?? '';
  item.tooltip = new vscode.MarkdownString(`**${g.label}** — ${plural(g.sockets.length, 'socket')}\n\n${escapeMarkdown(explanation)}`);
  item.iconPath = new vscode.ThemeIcon(groupIcon(g), g.kind === 'suspicious' ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
  return item;
}

function groupIcon(g: SocketGroup): string {
  switch (g.kind) {
    case 'suspicious': return 'warning';
    case 'listen': return 'radio-tower';
    case 'udp': return 'broadcast';
    case 'unix': return 'file-symlink-file';
    case 'tcp': return g.state === 'ESTABLISHED' ? 'plug' : 'circle-outline';
  }
}

/** `127.0.0.1:5000 → 127.0.0.1:43210` (just the local side when there is no peer). */
export function socketLabel(s: Socket): string {
  // UNIX socket paths are chosen by other processes: control characters come escaped.
  const local = escapeControl(formatEndpoint(s.local, s.protocol));
  return s.remote && (s.remote.port !== 0 || s.protocol === 'unix' && s.remote.address) ? `${local} → ${escapeControl(formatEndpoint(s.remote, s.protocol))}` : local;
}

function socketItem(s: Socket): vscode.TreeItem {
  const item = new vscode.TreeItem(socketLabel(s), vscode.TreeItemCollapsibleState.None);
  item.id = `socket:${s.protocol}:${s.inode}`;
  item.contextValue = 'socket';
  const parts = [s.fd === undefined ? undefined : `fd ${s.fd}`, s.protocol === 'unix' ? s.unixType : s.protocol, `rx ${s.rxQueue}`, `tx ${s.txQueue}`];
  item.description = parts.filter(Boolean).join(' · ');
  item.tooltip = socketTooltip(s);
  return item;
}

function socketTooltip(s: Socket): vscode.MarkdownString {
  const rows: [string, string][] = [
    ['State', s.state],
    ['Protocol', s.protocol + (s.unixType ? ` (${s.unixType})` : '')],
    ['Local', formatEndpoint(s.local, s.protocol)],
    ['Remote', s.remote ? formatEndpoint(s.remote, s.protocol) : '—'],
    ['fd', s.fd === undefined ? 'unknown' : String(s.fd)],
    ['inode', s.inode],
    ['Queues', `receive ${s.rxQueue} B, send ${s.txQueue} B`],
  ];
  if (s.retransmits !== undefined) rows.push(['Retransmits', String(s.retransmits)]);
  if (s.uid !== undefined) rows.push(['uid', String(s.uid)]);
  const table = ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${escapeMarkdown(v)} |`)].join('\n');
  return new vscode.MarkdownString(`**${s.state}** — ${escapeMarkdown(STATE_EXPLANATIONS[s.state])}\n\n${table}`);
}
