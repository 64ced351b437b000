// "Open Creation Site": opens the innermost frame of a socket's creation stack that has a source line.
// The path comes from the program's debug info: it may be relative to the folder it was compiled in,
// or name a file of another machine; then the user is told so rather than shown some other file.
import { promises as fs } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Origin } from '../core/origins/symbolize';
import { NO_DEBUG_INFO } from '../core/origins/symbolize';
import { sourceFrame } from '../core/origins/siteLabel';
import { escapeControl } from '../core/model';

async function isFile(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isFile() ?? false;
}

/** The file a frame names, on this machine: absolute as is, relative under a workspace folder. */
export async function resolveFrameFile(file: string): Promise<string | undefined> {
  if (path.isAbsolute(file)) return (await isFile(file)) ? file : undefined;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const candidate = path.join(folder.uri.fsPath, file);
    if (await isFile(candidate)) return candidate;
  }
  return undefined;
}

/** Opens the creation site; resolves to the opened file, or undefined (after saying why). */
export async function openOrigin(origin: Origin | undefined): Promise<string | undefined> {
  if (!origin || !Array.isArray(origin.frames)) return undefined;
  const frame = sourceFrame(origin);
  if (!frame) {
    const fn = origin.frames[0]?.function;
    void vscode.window.showWarningMessage(`SockScope: ${fn ? `${escapeControl(fn)} has` : 'this creation site has'} no source line: ${origin.note ?? NO_DEBUG_INFO}.`);
    return undefined;
  }
  const file = await resolveFrameFile(frame.file);
  if (!file) {
    void vscode.window.showWarningMessage(`SockScope: the socket was created at ${escapeControl(frame.file)}:${frame.line}, but that file is not on this machine`
      + `${path.isAbsolute(frame.file) ? '' : ' (nor under a workspace folder)'}. Open the program's sources to follow it.`);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const line = Math.min(frame.line - 1, doc.lineCount - 1);
  const range = doc.lineAt(line).range;
  const start = new vscode.Position(line, doc.lineAt(line).firstNonWhitespaceCharacterIndex);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Selection(start, start), preview: true });
  vscode.window.activeTextEditor?.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return file;
}
