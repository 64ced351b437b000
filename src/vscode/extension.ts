import * as vscode from 'vscode';
import { Log } from './log';
import { RuntimeFeature } from './runtime';
import type { RenderedRow } from './socketsView';

/** What activate() returns: a small API the integration tests use to read what the views show. */
export interface SockScopeApi {
  view(id: 'sockets' | 'debuggee'): { message: string | undefined; badge: number | undefined; rows: RenderedRow[] };
  attachedPid(id: 'sockets' | 'debuggee'): number | undefined;
}

export function activate(context: vscode.ExtensionContext): SockScopeApi {
  const log = new Log();
  context.subscriptions.push(log);
  log.for('main').info(`SockScope ${context.extension.packageJSON.version} activating on ${process.platform}`);
  const runtime = new RuntimeFeature(log);
  context.subscriptions.push(runtime);
  const pick = (id: 'sockets' | 'debuggee') => (id === 'sockets' ? runtime.sockets : runtime.debuggee);
  return {
    view: (id) => pick(id).rendered(),
    attachedPid: (id) => pick(id).attachment?.pid,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
