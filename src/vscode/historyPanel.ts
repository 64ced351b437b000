import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { HistorySeries, LeakWarning } from '../core/sampler';
import type { Attachment } from './attachment';

/** Messages from the extension to the chart webview. */
export type ToWebview =
  | { readonly type: 'series'; readonly title: string; readonly series: HistorySeries; readonly warnings: readonly Pick<LeakWarning, 'title' | 'severity'>[]; readonly exited: boolean }
  | { readonly type: 'empty'; readonly text: string };

/** Messages from the chart webview to the extension. */
export type FromWebview = { readonly type: 'ready' } | {
  readonly type: 'rendered'; readonly points: number; readonly lines: readonly string[];
  /** The page's heading, legend entries, axis labels and how the fd limit was shown (present once data was drawn). */
  readonly title?: string; readonly legend?: readonly string[];
  readonly axes?: Record<'states' | 'fds', { readonly x: readonly string[]; readonly y: readonly string[] }>;
  readonly limit?: 'drawn' | 'off-scale' | 'none';
};

export type Rendered = Extract<FromWebview, { type: 'rendered' }>;

/**
 * "Show Socket History": one chart per attached process, titled with it and following only it (a
 * debug session starting elsewhere does not take it over). Counts per TCP state over time and
 * descriptors against the fd limit, drawn by media/history.js. The page is not kept alive while
 * hidden: when shown again it asks for the data anew.
 */
export class HistoryPanels implements vscode.Disposable {
  private readonly panels = new Map<Attachment, HistoryPanel>();
  private lastShown: HistoryPanel | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** What the most recently shown chart last reported drawing (tests read it). */
  get rendered(): Rendered | undefined {
    return this.lastShown?.rendered;
  }

  /** The chart of this attachment: revealed if open, else opened. */
  show(attachment: Attachment): void {
    let panel = this.panels.get(attachment);
    if (!panel) {
      panel = new HistoryPanel(this.extensionUri, attachment, () => {
        this.panels.delete(attachment);
        if (this.lastShown === panel) this.lastShown = undefined;
      });
      this.panels.set(attachment, panel);
    } else panel.reveal();
    this.lastShown = panel;
  }

  /** Titles of the open charts (tests read them). */
  get titles(): string[] {
    return [...this.panels.values()].map((p) => p.title);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}


/** One chart, bound to one attachment for its whole life. */
class HistoryPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly scope: vscode.Disposable[] = [];
  private lastRendered: Rendered | undefined;

  constructor(extensionUri: vscode.Uri, private readonly attachment: Attachment, onDispose: () => void) {
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel('sockscope.history', this.titleText(), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [media], retainContextWhenHidden: false });
    panel.iconPath = vscode.Uri.joinPath(media, 'sockscope.svg');
    panel.webview.html = this.html(panel.webview, media);
    this.panel = panel;
    this.scope.push(
      panel.webview.onDidReceiveMessage((m: FromWebview) => {
        if (m.type === 'ready') this.post();
        else if (m.type === 'rendered') this.lastRendered = m;
      }),
      panel.onDidChangeViewState(() => { if (panel.visible) this.post(); }),
      attachment.onDidChange(() => { if (panel.visible) this.post(); }),
      panel.onDidDispose(() => {
        for (const d of this.scope.splice(0)) d.dispose();
        onDispose();
      }),
    );
  }

  get rendered(): Rendered | undefined {
    return this.lastRendered;
  }

  get title(): string {
    return this.panel.title;
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
    this.post();
  }

  private titleText(): string {
    return `Socket History — ${this.attachment.title}${this.attachment.status.kind === 'exited' ? ' (exited)' : ''}`;
  }

  private post(): void {
    const a = this.attachment;
    const message: ToWebview = a.history.length > 0
      ? { type: 'series', title: a.title, series: a.history.toSeries(), warnings: a.warnings.map((w) => ({ title: w.title, severity: w.severity })), exited: a.status.kind === 'exited' }
      : { type: 'empty', text: `Waiting for the first sample of ${a.title}…` };
    this.panel.title = this.titleText();
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
<section aria-label="Descriptors"><h2>Open descriptors and the limit</h2><div id="fds" class="chart"></div><ul id="fdLegend" class="legend"></ul></section>
<p id="empty" hidden></p>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel.dispose();
  }
}
