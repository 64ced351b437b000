import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { Log } from './log';
import { DebuggeeTracker } from './debugTracker';
import { EditorFeature } from './editor';
import { RuntimeFeature } from './runtime';
import type { RenderedRow } from './socketsView';

/** What activate() returns: a small API the integration tests use to read what the views show. */
export interface SockScopeApi {
  view(id: 'sockets' | 'debuggee'): { message: string | undefined; badge: number | undefined; rows: RenderedRow[] };
  attachedPid(id: 'sockets' | 'debuggee'): number | undefined;
  /** Analyses a document now and returns how many findings it published. */
  analyze(doc: vscode.TextDocument): Promise<number>;
  /** What the Socket History page last reported drawing. */
  historyRendered(): { points: number; lines: readonly string[] } | undefined;
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
  context.subscriptions.push(runtime, editor, debuggee);
  const pick = (id: 'sockets' | 'debuggee') => (id === 'sockets' ? runtime.sockets : runtime.debuggee);
  log.for('main').info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
  return {
    logUri: context.logUri,
    view: (id) => pick(id).rendered(),
    attachedPid: (id) => pick(id).attachment?.pid,
    historyRendered: () => runtime.history.rendered,
    analyze: async (doc) => (await editor.analyzeDocument(doc)).length,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
