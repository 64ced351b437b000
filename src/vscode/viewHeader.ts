// What a sockets view shows above and beside its tree: the message line, the badge and the description,
// worked out together from ONE sample (a snapshot and its state counts), and how they are put on the view.
// No `vscode` import, so that it runs in unit tests.
//
// The order matters in VS Code: a tree view's `badge` goes to the workbench at once, while its `message`
// and the tree's refreshes go through one shared 200 ms debounce in the extension host that passes the
// first change of a quiet spell at once and holds later ones until 200 ms after the last. Refreshing the
// tree first made every message the held one, so the badge showed a newer CLOSE_WAIT count than the line
// above the tree while a leak grew. Setting the message (and the badge) first and refreshing after lets
// the message go out with the badge; the rows follow.
import { formatCount } from '../core/model';
import { formatDuration } from '../core/sampler';
import { plural } from '../core/model/plural';
import type { AttachmentStatus, Sample } from './attachment';

/** What of an attachment the header needs (Attachment has it all). */
export interface HeaderSource {
  readonly pid: number;
  readonly title: string;
  readonly origin: string | undefined;
  readonly status: AttachmentStatus;
  readonly sample: Sample | undefined;
  readonly stretchedIntervalMs: number | undefined;
}

/** A filter's text and, once the tree is built, how many of the sockets it lets through. */
export interface FilterCounts {
  readonly text: string;
  readonly counts: { readonly shown: number; readonly total: number } | undefined;
}

export interface ViewHeader {
  readonly message: string | undefined;
  readonly badge: { readonly value: number; readonly tooltip: string } | undefined;
  readonly description: string | undefined;
}

/** The message, badge and description of a view attached to `a` (or of an empty view). */
export function viewHeader(a: HeaderSource | undefined, filter?: FilterCounts): ViewHeader {
  if (!a) return { message: undefined, badge: undefined, description: undefined };
  const sample = a.sample;
  // Once the process is gone its last count is history, not a live figure.
  const closeWait = a.status.kind !== 'exited' ? sample?.states.CLOSE_WAIT ?? 0 : 0;
  return {
    message: filterMessage(filter) + viewMessage(a),
    badge: closeWait > 0 ? { value: closeWait, tooltip: `${plural(closeWait, 'socket')} in CLOSE_WAIT` } : undefined,
    description: a.title,
  };
}

/** Where the header goes: a VS Code TreeView has these three properties. */
export interface HeaderTarget {
  message?: string | undefined;
  badge?: { readonly value: number; readonly tooltip?: string | undefined } | undefined;
  description?: string | undefined;
}

/** Puts the header on the view, then asks for the rows again (see the top of this file for why in this order). */
export function showHeader(target: HeaderTarget, header: ViewHeader, refreshRows: () => void): void {
  target.message = header.message;
  target.badge = header.badge;
  target.description = header.description;
  refreshRows();
}

/** 'Filtered by "8303": 120 of 5,012 sockets shown. ' while a filter is set. */
function filterMessage(filter: FilterCounts | undefined): string {
  if (!filter) return '';
  const counts = filter.counts ? `: ${formatCount(filter.counts.shown)} of ${formatCount(filter.counts.total)} sockets shown` : '';
  return `Filtered by "${filter.text}"${counts} (Clear Filter in the title bar). `;
}

/**
 * The line above the tree: which process, how many sockets (and how many of them in CLOSE_WAIT, the
 * badge's number), descriptor headroom, or why nothing is shown.
 */
export function viewMessage(a: HeaderSource): string {
  const { status, sample } = a;
  const from = a.origin ? ` — ${a.origin}` : '';
  switch (status.kind) {
    case 'starting': return `Reading the sockets of pid ${a.pid}…${from}`;
    case 'error': return `${a.title}: ${status.message}`;
    case 'exited': return `${a.title} has exited; polling stopped. ${sample ? 'Its last sockets are shown. ' : ''}Attach to another process to continue.`;
    case 'live': {
      if (!sample) return `Reading the sockets of pid ${a.pid}…`;
      const s = sample.snapshot;
      const p = s.process;
      const soft = p.fdLimit?.soft;
      const closeWait = sample.states.CLOSE_WAIT ?? 0;
      const sockets = `${formatCount(s.sockets.length)} socket${s.sockets.length === 1 ? '' : 's'}${closeWait > 0 ? ` (${formatCount(closeWait)} in CLOSE_WAIT)` : ''}`;
      const fds = p.fdCount === undefined ? '' : ` · ${formatCount(p.fdCount)} of ${soft === null || soft === undefined ? '∞' : formatCount(soft)} descriptors`;
      const stretched = a.stretchedIntervalMs;
      const every = stretched === undefined ? '' : stretched < 10_000 ? `${(stretched / 1000).toFixed(1)} s` : formatDuration(stretched);
      const slow = stretched ? ` · sampling every ${every} to stay under sockscope.sampling.maxCpuPercent` : '';
      const notes = (s.notes.length ? ` · ${s.notes.join('; ')}` : '') + slow;
      return `${a.title}${from} · ${sockets}${fds}${notes}`;
    }
  }
}
