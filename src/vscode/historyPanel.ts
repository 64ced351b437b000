import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { HistorySeries, LeakWarning } from '../core/sampler';
import type { Attachment } from './attachment';

/** Messages from the extension to the chart webview. */
export type ToWebview =
  | { readonly type: 'series'; readonly title: string; readonly series: HistorySeries; readonly warnings: readonly Pick<LeakWarning, 'title' | 'severity'>[]; readonly exited: boolean }
  | { readonly type: 'empty'; readonly text: string };

/** Messages from the chart webview to the extension. */
export type FromWebview = { readonly type: 'ready' } | { readonly type: 'rendered'; readonly points: number; readonly lines: readonly string[] };

/**
 * "Show Socket History": counts per TCP state over time and descriptors against the fd limit, drawn by
 * media/history.js. The page is not kept alive while hidden: when shown again it asks for the data anew.
 */
export class HistoryPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private attachment: Attachment | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private panelScope: vscode.Disposable[] = [];
  private lastRendered: Extract<FromWebview, { type: 'rendered' }> | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** What the page last reported drawing (tests read it). */
  get rendered(): Extract<FromWebview, { type: 'rendered' }> | undefined {
    return this.lastRendered;
  }

  show(attachment: Attachment | undefined): void {
    this.follow(attachment);
    if (this.panel) {
      this.panel.reveal(undefined, true);
      this.post();
      return;
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel('sockscope.history', 'Socket History', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [media], retainContextWhenHidden: false });
    panel.iconPath = vscode.Uri.joinPath(media, 'sockscope.svg');
    panel.webview.html = this.html(panel.webview, media);
    this.panel = panel;
    this.panelScope = [
      panel.webview.onDidReceiveMessage((m: FromWebview) => {
        if (m.type === 'ready') this.post();
        else if (m.type === 'rendered') this.lastRendered = m;
      }),
      panel.onDidChangeViewState(() => { if (panel.visible) this.post(); }),
      panel.onDidDispose(() => {
        for (const d of this.panelScope.splice(0)) d.dispose();
        this.panel = undefined;
      }),
    ];
  }

  /** Follows another attachment (or none); redraws on each of its samples while visible. */
  follow(attachment: Attachment | undefined): void {
    if (attachment === this.attachment) return;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.attachment = attachment;
    if (attachment) this.disposables.push(attachment.onDidChange(() => { if (this.panel?.visible) this.post(); }));
    this.post();
  }

  private post(): void {
    if (!this.panel) return;
    const a = this.attachment;
    const message: ToWebview = a && a.history.length > 0
      ? { type: 'series', title: a.title, series: a.history.toSeries(), warnings: a.warnings.map((w) => ({ title: w.title, severity: w.severity })), exited: a.status.kind === 'exited' }
      : { type: 'empty', text: a ? `Waiting for the first sample of ${a.title}…` : 'No process is attached. Run "SockScope: Attach to Process…" and the history appears here.' };
    this.panel.title = a ? `Socket History — ${a.title}` : 'Socket History';
    void this.panel.webview.postMessage(message);
  }

  private html(webview: vscode.Webview, media: vscode.Uri): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'history.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'history.css'));
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `img-src ${webview.cspSource} data:`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Socket History</title>
</head>
<body>
<header><h1 id="title">Socket History</h1><p id="summary" role="status"></p></header>
<ul id="warnings" aria-label="Leak warnings"></ul>
<section aria-label="Sockets per TCP state"><h2>Sockets per TCP state</h2><div id="states" class="chart"></div><ul id="legend" class="legend"></ul></section>
<section aria-label="Descriptors"><h2>Open descriptors and the limit</h2><div id="fds" class="chart"></div></section>
<p id="empty" hidden></p>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel?.dispose();
  }
}
