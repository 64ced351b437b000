import * as vscode from 'vscode';
import { SourceError } from '../core/platform/source';
import type { ComponentLog, Log } from './log';

/**
 * The one error-reporting wrapper for commands: a failing command logs the full error and shows its
 * message (SourceError messages are written for users) with a "Show Log" action; nothing escapes.
 */
export function registerCommand(
  log: Log,
  id: string,
  handler: (...args: never[]) => unknown,
): vscode.Disposable {
  const clog: ComponentLog = log.for('command');
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await (handler as (...a: unknown[]) => unknown)(...args);
    } catch (e) {
      clog.error(`${id} failed`, e);
      const message = e instanceof SourceError ? e.message : `SockScope: ${id.replace('sockscope.', '')} failed: ${e instanceof Error ? e.message : String(e)}`;
      void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
        if (choice === 'Show Log') log.show();
      });
      return undefined;
    }
  });
}
