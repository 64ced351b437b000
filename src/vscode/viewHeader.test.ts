// The header of a sockets view (viewHeader.ts) without VS Code: the message and the badge are made from
// one sample, and put on the view before the rows are refreshed. The second test runs showHeader against
// a stand-in for the extension host's TreeView that delivers them the way VS Code 1.139 does (badge at
// once; message and row refreshes through one 200 ms debounce that passes the first change of a quiet
// spell at once), on mocked timers: what the workbench shows must agree right after each update.
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot, StateCounts } from '../core/model';
import type { HeaderSource, HeaderTarget, ViewHeader } from './viewHeader';
import { showHeader, viewHeader } from './viewHeader';

function source(total: number, closeWait: number, status: HeaderSource['status'] = { kind: 'live' }): HeaderSource {
  const snapshot = {
    takenAt: 0, notes: [],
    process: { pid: 42, name: 'node', cmdline: 'node leaky-server.js', fdCount: total + 3, fdLimit: { soft: 1024, hard: 4096 } },
    sockets: new Array(total).fill({}),
  } as unknown as Snapshot;
  const states: StateCounts = closeWait ? { CLOSE_WAIT: closeWait, LISTEN: 1 } : { LISTEN: 1 };
  return { pid: 42, title: 'node leaky-server.js (pid 42)', origin: undefined, status, sample: { snapshot, states }, stretchedIntervalMs: undefined };
}

/** The CLOSE_WAIT count a message line states ("… · 30 sockets (25 in CLOSE_WAIT) · …"). */
const statedCloseWait = (message: string | undefined): number => Number(/\(([\d,]+) in CLOSE_WAIT\)/.exec(message ?? '')?.[1]?.replace(/,/g, '') ?? 0);

test('viewHeader: the message states the CLOSE_WAIT count the badge shows, both from the same sample', () => {
  const h = viewHeader(source(30, 25));
  assert.equal(h.message, 'node leaky-server.js (pid 42) · 30 sockets (25 in CLOSE_WAIT) · 33 of 1,024 descriptors');
  assert.deepEqual(h.badge, { value: 25, tooltip: '25 sockets in CLOSE_WAIT' });
  assert.equal(h.description, 'node leaky-server.js (pid 42)');
  assert.equal(viewHeader(source(1, 0)).message, 'node leaky-server.js (pid 42) · 1 socket · 4 of 1,024 descriptors');
  assert.equal(viewHeader(source(1, 0)).badge, undefined);
  // Exited: the last sockets are history, so no badge (and no live count).
  const gone = viewHeader(source(30, 25, { kind: 'exited', message: 'gone' }));
  assert.equal(gone.badge, undefined);
  assert.match(gone.message ?? '', /has exited; polling stopped/);
  assert.match(viewHeader(source(30, 25), { text: '8303', counts: { shown: 3, total: 30 } }).message ?? '', /^Filtered by "8303": 3 of 30 sockets shown \(Clear Filter in the title bar\)\. node /);
  assert.deepEqual(viewHeader(undefined), { message: undefined, badge: undefined, description: undefined });
});

/**
 * What the workbench shows of a tree view whose extension-host side behaves like VS Code's ExtHostTreeView:
 * a badge is sent at once; a message and a row refresh are events of one debounce (200 ms, leading): the
 * first event when no timer runs goes out at once, later ones are merged and go out 200 ms after the last
 * (each event restarts the timer), the message as it is then.
 */
class WorkbenchView implements HeaderTarget {
  shownMessage: string | undefined;
  shownBadge: number | undefined;
  description: string | undefined;
  private pendingMessage = false;
  private merged = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private value: string | undefined;

  get message(): string | undefined { return this.value; }
  set message(m: string | undefined) { this.value = m; this.event(true); }
  get badge(): ViewHeader['badge'] { return undefined; }
  set badge(b: ViewHeader['badge']) { this.shownBadge = b?.value; }
  refreshRows(): void { this.event(false); }

  private event(message: boolean): void {
    this.merged++;
    this.pendingMessage ||= message;
    if (!this.timer) this.emit();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.merged > 1 || this.pendingMessage) this.emit();
      this.merged = 0;
    }, 200);
  }

  private emit(): void {
    if (this.pendingMessage) this.shownMessage = this.value;
    this.pendingMessage = false;
  }
}

test('showHeader: right after each update of a growing leak, the workbench shows the same CLOSE_WAIT count in the message and the badge', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const view = new WorkbenchView();
    const seen: [number, number | undefined][] = [];
    for (let closeWait = 20; closeWait <= 30; closeWait += 5) {
      showHeader(view, viewHeader(source(closeWait + 5, closeWait)), () => view.refreshRows());
      seen.push([statedCloseWait(view.shownMessage), view.shownBadge]);
      mock.timers.tick(1000); // the next sample
    }
    assert.deepEqual(seen, [[20, 20], [25, 25], [30, 30]]);
  } finally {
    mock.timers.reset();
  }
});
