// The socket-origin parts of the Sockets view's rows: the "origins unknown" row, the stack in a
// tooltip, and the command a click on a site or a socket runs. Everything in a stack comes from the
// traced program's debug info (function and file names), so all of it is escaped in Markdown.
import * as vscode from 'vscode';
import type { ProcessInfo } from '../core/model';
import { escapeControl, escapeMarkdown } from '../core/model';
import type { LiveSite } from '../core/origins/liveOrigins';
import { frameWhere } from '../core/origins/siteLabel';
import type { SocketNode } from './socketTree';

/** Frames shown in a tooltip; deeper stacks end with "…". */
const TOOLTIP_FRAMES = 12;

/** The row shown when the attached process has no recorded origins: why, and how to get them. */
export function originsUnknownRow(reason: string, process: ProcessInfo | undefined): SocketNode {
  if (reason.startsWith('origins unknown')) {
    const command = `sockscope run -- ${escapeControl(process?.cmdline.trim() || 'COMMAND')}`;
    const tooltip = new vscode.MarkdownString(`**Socket origins unknown.** This process was not started with SockScope's recorder, so where its sockets were created is not known.\n\n`
      + `Restart it with SockScope (click this row) to see each socket's creation site, group the view by origin and have the running process confirm the leaks the editor finds. From a shell:\n\n${escapeMarkdown(command)}`);
    return { kind: 'info', key: 'origins-unknown', label: 'Origins unknown — restart it with SockScope', value: command, icon: 'debug-restart', tooltip,
      command: { command: 'sockscope.runWithOrigins', title: 'Run with Socket Origins…', arguments: [{ restartPid: process?.pid }] } };
  }
  const [label, detail] = reason.startsWith('origins not traceable: ')
    ? ['Origins not traceable', reason.slice('origins not traceable: '.length)]
    : ['Origins not available', reason];
  return { kind: 'info', key: 'origins-unknown', label, value: escapeControl(detail), icon: 'circle-slash' };
}

/** Opens the innermost frame with a source line (see the sockscope.openOrigin command). */
export function openOriginCommand(site: LiveSite): vscode.Command {
  return { command: 'sockscope.openOrigin', title: 'Open Creation Site', arguments: [site.origin] };
}

/** `head` (Markdown), then what is said of the site, then the creation stack, innermost first. */
export function originTooltipMarkdown(site: LiveSite, summary: string | undefined, head?: string): vscode.MarkdownString {
  const frames = site.origin.frames.slice(0, TOOLTIP_FRAMES).map((f) => {
    const where = f.file && f.line ? `${f.file}:${f.line}` : f.module;
    return `- ${f.function ? `**${escapeMarkdown(f.function)}** ` : ''}${escapeMarkdown(where)}`;
  });
  if (site.origin.frames.length > TOOLTIP_FRAMES) frames.push('- …');
  const parts = [
    ...(head ? [head] : []),
    `**Created at ${escapeMarkdown(site.origin.frames[0] ? frameWhere(site.origin.frames[0]) : 'an unknown place')}**${summary ? ` — ${escapeMarkdown(summary)}` : ''}`,
    ...(site.origin.note ? [`_${escapeMarkdown(site.origin.note)}_`] : []),
    frames.join('\n'),
    'Click to open the line.',
  ];
  return new vscode.MarkdownString(parts.join('\n\n'));
}
