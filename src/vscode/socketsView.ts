import * as vscode from 'vscode';
import type { SocketSource } from '../core/platform/source';
import type { PortRange } from '../core/sampler';
import { Attachment } from './attachment';
import { setting } from './config';
import type { ComponentLog } from './log';
import type { SocketNode, TreeSettings } from './socketTree';
import { SocketTreeProvider } from './socketTree';
import { showHeader, viewHeader } from './viewHeader';

export interface RenderedRow {
  readonly id: string;
  readonly label: string;
  readonly description: string | undefined;
  readonly contextValue: string | undefined;
  /** What a click runs (e.g. opening a socket's creation site). */
  readonly command?: { readonly command: string; readonly arguments?: unknown[] } | undefined;
  /** The tooltip's text (Markdown source when it is Markdown). */
  readonly tooltip?: string | undefined;
  readonly children: RenderedRow[];
}

/**
 * A sockets tree view and the process attached to it. Each attach creates a new Attachment scope;
 * detaching (or attaching elsewhere) disposes the previous one, which stops its polling.
 */
export class SocketsView implements vscode.Disposable {
  private readonly provider = new SocketTreeProvider();
  private readonly view: vscode.TreeView<unknown>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly attachmentChanged = new vscode.EventEmitter<Attachment | undefined>();
  /** Fires on attach/detach and on every sample of the current attachment. */
  readonly onDidChange = this.attachmentChanged.event;
  private current: { attachment: Attachment; scope: vscode.Disposable[] } | undefined;
  private settings: TreeSettings | undefined;

  constructor(
    readonly viewId: string,
    private readonly contextKey: string,
    private readonly source: SocketSource,
    private readonly ephemeralPorts: () => PortRange | undefined,
    private readonly log: ComponentLog,
  ) {
    this.view = vscode.window.createTreeView(viewId, { treeDataProvider: this.provider, showCollapseAll: true });
    this.disposables.push(this.view, this.provider, this.attachmentChanged);
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('sockscope.sampling.intervalMs')) this.current?.attachment.setIntervalMs(setting('sampling.intervalMs', 1000));
      if (e.affectsConfiguration('sockscope.warnings.closeWaitIdleSeconds')) this.current?.attachment.setCloseWaitIdleSeconds(setting('warnings.closeWaitIdleSeconds', 60));
    }));
    void vscode.commands.executeCommand('setContext', contextKey, false);
  }

  get attachment(): Attachment | undefined {
    return this.current?.attachment;
  }

  /** Grouping, order and filter; the tree is rebuilt with them. */
  setSettings(settings: TreeSettings): void {
    this.settings = settings;
    this.provider.setSettings(settings);
    this.update();
  }

  get visible(): boolean {
    return this.view.visible;
  }

  attach(pid: number, origin?: string): Attachment {
    this.detach();
    const attachment = new Attachment(this.source, pid, {
      intervalMs: setting('sampling.intervalMs', 1000),
      cpuBudget: setting('sampling.maxCpuPercent', 2) / 100,
      historyLength: setting('history.length', 900),
      ephemeralPorts: this.ephemeralPorts(),
      closeWaitIdleSeconds: setting('warnings.closeWaitIdleSeconds', 60),
      origin,
    }, this.log);
    // Origins are read after the sample they belong to: rebuild the tree on every change, not only on new sockets.
    const scope: vscode.Disposable[] = [attachment, attachment.onDidChange(() => { this.provider.originsChanged(); this.update(); })];
    this.current = { attachment, scope };
    this.provider.setAttachment(attachment);
    void vscode.commands.executeCommand('setContext', this.contextKey, true);
    this.update();
    return attachment;
  }

  detach(): void {
    if (!this.current) return;
    for (const d of this.current.scope) d.dispose();
    this.log.info(`detached from pid ${this.current.attachment.pid}`);
    this.current = undefined;
    this.provider.setAttachment(undefined);
    void vscode.commands.executeCommand('setContext', this.contextKey, false);
    this.update();
  }

  /** What the view shows now: its message and its rows as rendered tree items (expanded `depth` levels below the top). */
  rendered(depth = 2): { message: string | undefined; badge: number | undefined; rows: RenderedRow[] } {
    const render = (node: SocketNode | undefined, depth: number): RenderedRow[] => this.provider.getChildren(node).map((child) => {
      const item = this.provider.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
      return { id: item.id ?? '', label, description: typeof item.description === 'string' ? item.description : undefined,
        contextValue: item.contextValue, command: item.command && { command: item.command.command, arguments: item.command.arguments },
        tooltip: typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value, children: depth > 0 ? render(child, depth - 1) : [] };
    });
    return { message: this.view.message, badge: this.view.badge?.value, rows: render(undefined, depth) };
  }

  /** The node of a row shown now, by its id (searched as deep as rendered() goes). */
  findNode(id: string, depth = 2): SocketNode | undefined {
    const search = (node: SocketNode | undefined, d: number): SocketNode | undefined => {
      for (const child of this.provider.getChildren(node)) {
        if (this.provider.getTreeItem(child).id === id) return child;
        const deeper = d > 0 ? search(child, d - 1) : undefined;
        if (deeper) return deeper;
      }
      return undefined;
    };
    return search(undefined, depth);
  }

  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${this.viewId}.focus`);
  }

  /** Message, badge and description from one sample, put on the view before the rows are refreshed (viewHeader.ts). */
  private update(): void {
    const a = this.current?.attachment;
    const filter = this.settings?.filter;
    const tree = filter && a ? this.provider.tree() : undefined;
    showHeader(this.view, viewHeader(a, filter && { text: filter.text, counts: tree && { shown: tree.shown, total: tree.total } }), () => this.provider.refresh());
    this.attachmentChanged.fire(a);
  }

  dispose(): void {
    this.detach();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
