import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { Log } from './log';
import { DebuggeeTracker } from './debugTracker';
import { EditorFeature } from './editor';
import { RuntimeFeature } from './runtime';
import { DebugInjection, recorderInjector } from './debugInjection';
import { LiveLeakSites } from './originDiagnostics';
import type { RenderedRow } from './socketsView';
import type { Rendered } from './historyPanel';
import type { PickerState } from './processPicker';
import { pickerState } from './processPicker';

/** What activate() returns: a small API the integration tests use to read what the views show. */
export interface SockScopeApi {
  view(id: 'sockets' | 'debuggee'): { message: string | undefined; badge: number | undefined; rows: RenderedRow[] };
  attachedPid(id: 'sockets' | 'debuggee'): number | undefined;
  /** Analyses a document now and returns how many findings it published. */
  analyze(doc: vscode.TextDocument): Promise<number>;
  /** What the most recently shown Socket History page last reported drawing. */
  historyRendered(): Rendered | undefined;
  /** Titles of the open Socket History pages. */
  historyTitles(): string[];
  /** What a view's status bar item shows (undefined while hidden). */
  statusBar(id: 'sockets' | 'debuggee'): { text: string; accessibility: string | undefined; tooltip: string } | undefined;
  /** The open process picker's rows (undefined when none is open). */
  picker(): PickerState | undefined;
  /** The tree node behind a row id of a view (to run row commands on it). */
  node(id: 'sockets' | 'debuggee', rowId: string): unknown;
  /** The message of the last Export Snapshot. */
  lastExportMessage(): string | undefined;
  /** Where VS Code keeps this extension's logs (the SockScope log channel's file is under it). */
  readonly logUri: vscode.Uri;
}

export function activate(context: vscode.ExtensionContext): SockScopeApi {
  const started = performance.now();
  const log = new Log();
  context.subscriptions.push(log);
  log.for('main').info(`SockScope ${context.extension.packageJSON.version} activating on ${process.platform}`);
  const runtime = new RuntimeFeature(log, context.extensionUri);
  const editor = new EditorFeature(log, context.extensionUri);
  const debuggee = new DebuggeeTracker(runtime.debuggee, log.for('debug'));
  // The recorder of the debuggee's runtime (C/C++, Node.js, Python, Java) in its launch configuration.
  const injection = new DebugInjection(recorderInjector(context.extensionUri), log.for('debug'));
  // Findings confirmed by the attached processes' leaking sockets (by their recorded creation sites).
  const liveLeaks = new LiveLeakSites([runtime.sockets, runtime.debuggee]);
  editor.setLiveLeaks(liveLeaks);
  context.subscriptions.push(runtime, editor, debuggee, injection, liveLeaks);
  const pick = (id: 'sockets' | 'debuggee') => (id === 'sockets' ? runtime.sockets : runtime.debuggee);
  log.for('main').info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
  return {
    logUri: context.logUri,
    view: (id) => pick(id).rendered(),
    attachedPid: (id) => pick(id).attachment?.pid,
    historyRendered: () => runtime.history.rendered,
    historyTitles: () => runtime.history.titles,
    statusBar: (id) => runtime.statusBars[id].shown,
    lastExportMessage: () => runtime.lastExportMessage,
    picker: () => pickerState(),
    node: (id, rowId) => pick(id).findNode(rowId),
    analyze: async (doc) => (await editor.analyzeDocument(doc)).length,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
