import * as vscode from 'vscode';
import type { GroupBy, Peer, PeerBranch, ProcessInfo, RowContext, SiteBranch, Snapshot, Socket, SocketFilter, SocketGroup, SortBy, StateAge, StateBranch, ViewTree } from '../core/model';
import { buildViewTree, PENDING_SITE_KEY, escapeControl, escapeMarkdown, formatAge, formatCount, formatEndpoint, socketRowDescription, socketRowLabel, STATE_EXPLANATIONS } from '../core/model';
import type { SitedWarning } from '../core/origins/leakSite';
import { sourceFrame } from '../core/origins/siteLabel';
import type { Attachment } from './attachment';
import type { LiveSite } from '../core/origins/liveOrigins';
import { originTooltipMarkdown, openOriginCommand, originsUnknownRow } from './originRows';

/** Rows shown per group or peer before a "… more" row; Copy as JSON has them all. Keeps 100k-socket processes responsive. */
export const MAX_ROWS_PER_GROUP = 500;

export type SocketNode =
  | { readonly kind: 'warning'; readonly warning: SitedWarning }
  | { readonly kind: 'group'; readonly branch: StateBranch }
  | { readonly kind: 'peer'; readonly branch: PeerBranch; readonly group: SocketGroup; readonly first: boolean }
  | { readonly kind: 'site'; readonly branch: SiteBranch; readonly site: LiveSite | undefined; readonly first: boolean }
  | { readonly kind: 'socket'; readonly socket: Socket; readonly context: RowContext; readonly peer: Peer | undefined; readonly site?: LiveSite | undefined; readonly underSite?: boolean }
  | { readonly kind: 'more'; readonly key: string; readonly what: string; readonly hidden: number }
  | { readonly kind: 'info'; readonly key: string; readonly label: string; readonly value: string; readonly command?: vscode.Command; readonly icon?: string; readonly tooltip?: vscode.MarkdownString };

const GROUP_EXPLANATIONS: Record<string, string> = {
  udp: 'UDP sockets have no connection state: the kernel shows CLOSE when unconnected and ESTABLISHED after connect().',
  unix: 'UNIX domain sockets (local inter-process connections).',
};

export interface TreeSettings {
  readonly groupBy: GroupBy;
  readonly sortBy: SortBy;
  readonly filter: SocketFilter | undefined;
}

/** Tree data for one attachment: warnings first, then the sockets grouped as the settings say. */
export class SocketTreeProvider implements vscode.TreeDataProvider<SocketNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SocketNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private attachment: Attachment | undefined;
  private settings: TreeSettings = { groupBy: 'peer', sortBy: 'age', filter: undefined };
  private cache: { sockets: readonly Socket[]; settings: TreeSettings; tree: ViewTree; origins: unknown; generation: number } | undefined;

  setAttachment(attachment: Attachment | undefined): void {
    this.attachment = attachment;
    this.cache = undefined;
    this.refresh();
  }

  setSettings(settings: TreeSettings): void {
    this.settings = settings;
    this.refresh();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** The tree of the latest snapshot, built once per socket array and settings. */
  tree(): ViewTree | undefined {
    const snapshot: Snapshot | undefined = this.attachment?.snapshot;
    if (!snapshot) return undefined;
    const origins = this.attachment?.origins;
    if (this.cache?.sockets !== snapshot.sockets || this.cache.settings !== this.settings || this.cache.origins !== origins || this.cache.generation !== this.generation) {
      const a = this.attachment;
      const ages = a?.ages;
      const siteOf = origins?.recorded && a ? (s: Socket) => a.siteOf(s.inode) : undefined;
      const pendingOf = siteOf && a ? (s: Socket) => a.originPending(s) : undefined;
      const tree = buildViewTree(snapshot.sockets, { ...this.settings, ageOf: ages ? (s) => ages.get(s) : undefined, siteOf, pendingOf });
      this.cache = { sockets: snapshot.sockets, settings: this.settings, tree, origins, generation: this.generation };
    }
    return this.cache.tree;
  }

  /** Origins were read again: the tree is rebuilt on the next read even when the sockets did not change. */
  originsChanged(): void {
    this.generation++;
  }

  private generation = 0;

  getChildren(node?: SocketNode): SocketNode[] {
    if (!this.attachment) return [];
    if (!node) {
      const partial = this.attachment.partial;
      if (partial) return partialRows(partial);
      const warnings: SocketNode[] = this.attachment.warnings.map((warning) => ({ kind: 'warning', warning }));
      const tree = this.tree();
      if (!tree) return warnings;
      if (tree.shown === 0 && this.settings.filter) {
        return [...warnings, { kind: 'info', key: 'no-match', label: 'No socket matches the filter', value: `"${this.settings.filter.text}" · click to clear`,
          command: { command: 'sockscope.clearFilter', title: 'Clear Filter' } }];
      }
      const a = this.attachment;
      const origins = a.origins;
      const unknown: SocketNode[] = origins && !origins.recorded ? [originsUnknownRow(origins.reason, a.snapshot?.process)] : [];
      const siteOf = (s: Socket) => a.siteOf(s.inode);
      if (tree.groupBy === 'none') return [...warnings, ...socketRows(tree.flat, 'none', tree, 'all', 'sockets', siteOf), ...unknown];
      if (tree.groupBy === 'origin') {
        if (tree.sites.length > 0) return [...warnings, ...tree.sites.map((branch, i): SocketNode => ({ kind: 'site', branch, site: branch.site ? a.siteOf(branch.sockets[0]?.inode ?? '') : undefined, first: i === 0 }))];
        // Not recorded (or not read yet): say so first, then the sockets by state.
        return [...warnings, ...unknown, ...tree.branches.map((branch): SocketNode => ({ kind: 'group', branch }))];
      }
      return [...warnings, ...tree.branches.map((branch): SocketNode => ({ kind: 'group', branch })), ...unknown];
    }
    const tree = this.tree();
    const a = this.attachment;
    if (!tree) return [];
    const siteOf = (s: Socket) => a.siteOf(s.inode);
    if (node.kind === 'site') return node.branch.states.map((branch): SocketNode => ({ kind: 'group', branch }));
    if (node.kind === 'group') {
      const { branch } = node;
      if (branch.peers) return branch.peers.map((p, i): SocketNode => ({ kind: 'peer', branch: p, group: branch.group, first: i === 0 }));
      const underSite = branch.group.key.startsWith('site:');
      return socketRows(branch.group.sockets, 'state', tree, branch.group.key, `${branch.group.label} sockets`, siteOf, underSite);
    }
    if (node.kind === 'peer') return socketRows(node.branch.sockets, 'peer', tree, node.branch.key, 'sockets from this peer', siteOf);
    return [];
  }

  getTreeItem(node: SocketNode): vscode.TreeItem {
    const now = Date.now();
    switch (node.kind) {
      case 'warning': return warningItem(node.warning);
      case 'group': return groupItem(node.branch, now);
      case 'peer': return peerItem(node, now);
      case 'site': return siteItem(node, this.attachment?.pid);
      case 'socket': return socketItem(node, this.attachment?.ages?.get(node.socket), now);
      case 'info': {
        const item = new vscode.TreeItem(node.label);
        item.id = `info:${node.key}`;
        item.description = node.value;
        item.tooltip = node.tooltip ?? `${node.label}: ${node.value}`;
        item.iconPath = new vscode.ThemeIcon(node.icon ?? (node.command ? 'filter' : 'info'));
        if (node.command) item.command = node.command;
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(`… ${formatCount(node.hidden)} more ${node.what}`);
        item.id = `more:${node.key}`;
        item.tooltip = 'Only the first rows are listed. Filter the view, or use "Copy as JSON" or "Export Snapshot" for all sockets.';
        item.command = { command: 'sockscope.copyAsJson', title: 'Copy as JSON' };
        return item;
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function socketRows(sockets: readonly Socket[], context: RowContext, tree: ViewTree, key: string, what: string, siteOf: (s: Socket) => LiveSite | undefined, underSite = false): SocketNode[] {
  const rows: SocketNode[] = sockets.slice(0, MAX_ROWS_PER_GROUP).map((socket) => ({ kind: 'socket', socket, context, peer: tree.peerOf(socket), site: siteOf(socket), underSite }));
  if (sockets.length > MAX_ROWS_PER_GROUP) rows.push({ kind: 'more', key, what, hidden: sockets.length - MAX_ROWS_PER_GROUP });
  return rows;
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

function warningItem(w: SitedWarning): vscode.TreeItem {
  const item = new vscode.TreeItem(w.title, vscode.TreeItemCollapsibleState.None);
  item.id = `warning:${w.id}`;
  item.contextValue = 'warning';
  item.iconPath = new vscode.ThemeIcon(w.severity === 'info' ? 'info' : 'warning',
    new vscode.ThemeColor(w.severity === 'critical' ? 'errorForeground' : w.severity === 'warning' ? 'problemsWarningIcon.foreground' : 'problemsInfoIcon.foreground'));
  item.description = `since ${new Date(w.since).toLocaleTimeString()}`;
  // A warning that names the site its sockets come from opens that line, like the site's own row.
  const opens = w.site && sourceFrame(w.site) ? w.site : undefined;
  if (opens) item.command = { command: 'sockscope.openOrigin', title: 'Open Creation Site', arguments: [opens] };
  const md = new vscode.MarkdownString(`**${escapeMarkdown(w.title)}**\n\n${escapeMarkdown(w.detail)}\n\n${opens ? 'Click to open the creation site. ' : ''}[Scan Workspace for Socket Leaks](command:sockscope.scanWorkspace)`);
  md.isTrusted = { enabledCommands: ['sockscope.scanWorkspace'] };
  item.tooltip = md;
  return item;
}

/** "5,000 · oldest 12 min": the count, and for the states a leak shows in, the longest time one socket has been there. */
function countText(count: number, oldest: StateAge | undefined, showAge: boolean, now: number): string {
  return `${formatCount(count)}${showAge && oldest ? ` · oldest ${formatAge(oldest, now)}` : ''}`;
}

function groupItem(b: StateBranch, now: number): vscode.TreeItem {
  const g = b.group;
  const expanded = g.kind === 'suspicious';
  const item = new vscode.TreeItem(g.label, expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `group:${g.key}`;
  item.contextValue = 'group';
  item.description = countText(g.sockets.length, b.oldest, g.kind === 'suspicious', now);
  const explanation = g.state ? STATE_EXPLANATIONS[g.state] : GROUP_EXPLANATIONS[g.key] ?? '';
  const oldest = b.oldest && g.kind === 'suspicious' ? `\n\nOldest: in ${g.label} for ${formatAge(b.oldest, now)}.` : '';
  const peers = b.peers ? ` from ${b.peers.length === 1 ? 'one peer' : `${formatCount(b.peers.length)} peers`}` : '';
  item.tooltip = new vscode.MarkdownString(`**${g.label}** — ${formatCount(g.sockets.length)} socket${g.sockets.length === 1 ? '' : 's'}${peers}\n\n${escapeMarkdown(explanation)}${oldest}`);
  item.iconPath = new vscode.ThemeIcon(groupIcon(g), g.kind === 'suspicious' ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
  return item;
}

function peerItem(node: Extract<SocketNode, { kind: 'peer' }>, now: number): vscode.TreeItem {
  const { branch, group } = node;
  const expand = group.kind === 'suspicious' && node.first;
  const item = new vscode.TreeItem(branch.label, expand ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `peer:${branch.key}`;
  item.contextValue = branch.peer ? 'peer' : 'nopeer';
  // Just the count: the label and the count must fit a narrow sidebar (the oldest age is on the state and in the tooltip).
  item.description = formatCount(branch.sockets.length);
  const p = branch.peer;
  const what = !p ? 'Sockets without a remote side.'
    : p.kind === 'accepted' ? `Connections this process accepted on its port ${p.localPort ?? ''} from ${p.remote}.`
      : `Connections this process opened to ${p.remote}.`;
  const oldest = branch.oldest ? ` Oldest: in ${group.label} for ${formatAge(branch.oldest, now)}.` : '';
  item.tooltip = `${group.label}: ${formatCount(branch.sockets.length)} socket${branch.sockets.length === 1 ? '' : 's'}. ${what}${oldest}`;
  item.iconPath = new vscode.ThemeIcon(p?.kind === 'accepted' ? 'arrow-left' : p ? 'arrow-right' : 'circle-slash');
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

/** `127.0.0.1:5000 → 127.0.0.1:43210` (just the local side when there is no peer): copied, and used in the diff. */
export function socketLabel(s: Socket): string {
  // UNIX socket paths are chosen by other processes: control characters come escaped.
  const local = escapeControl(formatEndpoint(s.local, s.protocol));
  return s.remote && (s.remote.port !== 0 || s.protocol === 'unix' && s.remote.address) ? `${local} → ${escapeControl(formatEndpoint(s.remote, s.protocol))}` : local;
}

function socketItem(node: Extract<SocketNode, { kind: 'socket' }>, age: StateAge | undefined, now: number): vscode.TreeItem {
  const s = node.socket;
  const item = new vscode.TreeItem(socketRowLabel(s, node.context, node.peer), vscode.TreeItemCollapsibleState.None);
  item.id = `socket:${s.protocol}:${s.inode}`;
  item.contextValue = node.peer ? 'socket-peer' : 'socket';
  const description = socketRowDescription(s, node.context, node.peer, age, now);
  // The creation site, unless the row sits under it already.
  item.description = node.site && !node.underSite ? `${description} · ${node.site.label}` : description;
  item.tooltip = socketTooltip(s, node.peer, age, now, node.site);
  if (node.site) item.command = openOriginCommand(node.site);
  return item;
}

/** A creation site: its label, its sockets counted per state, the stack in the tooltip; a click opens its line. */
function siteItem(node: Extract<SocketNode, { kind: 'site' }>, pid: number | undefined): vscode.TreeItem {
  const b = node.branch;
  const expand = node.first && b.suspicious > 0;
  const item = new vscode.TreeItem(b.label, expand ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = b.key;
  item.contextValue = node.site ? 'site' : 'nosite';
  // "CLOSE_WAIT 1,987 · ESTABLISHED 3": suspicious states first, as the state groups are ordered.
  const states = b.states.map((s) => `${s.group.label} ${formatCount(s.group.sockets.length)}`);
  item.description = states.join(' · ');
  const pending = !node.site && b.key === PENDING_SITE_KEY;
  item.iconPath = new vscode.ThemeIcon(node.site ? 'symbol-function' : pending ? 'watch' : 'question', b.suspicious > 0 ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
  if (node.site) {
    item.tooltip = originTooltipMarkdown(node.site, `${formatCount(b.sockets.length)} socket${b.sockets.length === 1 ? '' : 's'} of pid ${pid ?? '?'} created here: ${states.join(', ')}`);
    item.command = openOriginCommand(node.site);
  } else if (pending) {
    item.tooltip = 'Sockets created since the recorder\'s file was last read (at most every 2 s), or whose record is still in the recorder\'s next batch: their origin shows at the next read.';
  } else {
    item.tooltip = 'Sockets the recorder has no creation record for: inherited from the parent, or created before the recorder loaded or past the C library.';
  }
  return item;
}

function socketTooltip(s: Socket, peer: Peer | undefined, age: StateAge | undefined, now: number, site: LiveSite | undefined): vscode.MarkdownString {
  const rows: [string, string][] = [
    ['State', s.state],
    ['Protocol', s.protocol + (s.unixType ? ` (${s.unixType})` : '')],
    ['Local', formatEndpoint(s.local, s.protocol)],
    ['Remote', s.remote ? formatEndpoint(s.remote, s.protocol) : '—'],
  ];
  if (peer) rows.push(['Peer', peer.label]);
  rows.push(['fd', s.fd === undefined ? 'unknown' : String(s.fd)]);
  if (age) rows.push([`In ${s.state}`, `${formatAge(age, now)}${age.atLeast ? ' (already so when SockScope attached)' : ` (since ${new Date(age.since).toLocaleTimeString()})`}`]);
  rows.push(['inode', s.inode], ['Queues', `receive ${s.rxQueue} B, send ${s.txQueue} B`]);
  if (s.retransmits !== undefined) rows.push(['Retransmits', String(s.retransmits)]);
  if (s.uid !== undefined) rows.push(['uid', String(s.uid)]);
  const table = ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${escapeMarkdown(k)} | ${escapeMarkdown(v)} |`)].join('\n');
  const head = `**${s.state}** — ${escapeMarkdown(STATE_EXPLANATIONS[s.state])}\n\n${table}`;
  return site ? originTooltipMarkdown(site, undefined, head) : new vscode.MarkdownString(head);
}
