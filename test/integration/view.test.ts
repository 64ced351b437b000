// "Who is leaking" in the real view: a process holding 5,000 CLOSE_WAIT sockets (holder.js) grouped
// by state → peer → sockets, ages, the filter, the row context commands, one chart and one status bar
// item per process, the snapshot diff summary and the attach picker. Assertions are on what a user
// sees: row labels and descriptions, the view message, the status bar text, the chart's legend.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SockScopeApi } from '../../src/vscode/extension';
import type { RenderedRow } from '../../src/vscode/socketsView';
import type { Demo } from './demo';
import { startDemo } from './demo';
import type { Holder } from './holder';
import { startHolder } from './holder';
import { screenshot, screenshotsAvailable, waitFor } from './util';

const CLOSE_WAIT = 5000;

async function api(): Promise<SockScopeApi> {
  const ext = vscode.extensions.getExtension<SockScopeApi>('sockscope.sockscope');
  assert.ok(ext, 'extension not found');
  return ext.activate();
}

const count = (description: string | undefined): number => Number(/^([\d,]+)/.exec(description ?? '')?.[1]?.replace(/,/g, '') ?? NaN);
const group = (rows: readonly RenderedRow[], label: string): RenderedRow | undefined => rows.find((r) => r.id.startsWith('group:') && r.label === label);

suite('view: who is leaking, at a glance', function () {
  this.timeout(180000);
  let holder: Holder | undefined;
  let demo: Demo | undefined;
  let sockscope: SockScopeApi;

  suiteSetup(async () => {
    sockscope = await api();
    holder = await startHolder(['--pairs', '3', '--close-wait', String(CLOSE_WAIT), '--ttl', '600']);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('sockscope.groupBy.peer');
    await vscode.commands.executeCommand('sockscope.sortBy.age');
    await vscode.commands.executeCommand('sockscope.clearFilter');
    await vscode.commands.executeCommand('sockscope.detach');
    await holder?.stop();
  });

  teardown(async () => {
    await demo?.stop();
    demo = undefined;
  });

  test('grouped by peer: CLOSE_WAIT 5,000 → accepted on :port from 127.0.0.1 (5,000) → rows with the remote port, fd and age', async () => {
    const h = holder as Holder;
    const listenB = h.listeners[1]?.port;
    await vscode.commands.executeCommand('sockscope.groupBy.peer');
    await vscode.commands.executeCommand('sockscope.sortBy.age');
    await vscode.commands.executeCommand('sockscope.attach', h.pid);
    const view = await waitFor('the CLOSE_WAIT group with 5,000 sockets', () => {
      const v = sockscope.view('sockets');
      return count(group(v.rows, 'CLOSE_WAIT')?.description) === CLOSE_WAIT ? v : undefined;
    }, 60000);
    const cw = group(view.rows, 'CLOSE_WAIT') as RenderedRow;
    assert.equal(view.rows.find((r) => r.id.startsWith('group:'))?.label, 'CLOSE_WAIT');
    assert.match(cw.description ?? '', /^5,000 · oldest ≥ \d+ (s|min)$/, 'count with a thousands separator, and the oldest age');
    assert.equal(cw.children.length, 1, 'one peer');
    const peer = cw.children[0] as RenderedRow;
    assert.equal(peer.label, `on :${listenB} from 127.0.0.1`);
    assert.equal(peer.description, '5,000');
    assert.equal(peer.contextValue, 'peer');
    // 500 rows, then "… 4,500 more".
    assert.equal(peer.children.length, 501);
    assert.equal(peer.children[500]?.label, '… 4,500 more sockets from this peer');
    const remotePorts = new Map(h.closeWait.map((e) => [e.remotePort, e.fd]));
    for (const row of peer.children.slice(0, 500)) {
      const m = /^:(\d+)$/.exec(row.label);
      assert.ok(m, `row label "${row.label}" is the remote port alone`);
      const fd = remotePorts.get(Number(m[1]));
      assert.ok(fd !== undefined, `:${m[1]} is not a port the holder's CLOSE_WAIT sockets are connected from`);
      assert.equal(row.description?.replace(/ · ≥ \d+ (s|min)$/, ''), `fd ${fd}`);
      assert.match(row.description ?? '', /^fd \d+ · ≥ \d+ (s|min)$/);
    }
    // The established pairs: the accepted ends and the outgoing ends, each under their peer.
    const est = group(view.rows, 'ESTABLISHED') as RenderedRow;
    assert.equal(count(est.description), 6);
    const listenA = h.listeners[0]?.port;
    assert.deepEqual(est.children.map((c) => [c.label, count(c.description)]).sort(),
      [[`on :${listenA} from 127.0.0.1`, 3], [`to 127.0.0.1:${listenA}`, 3]]);
    assert.equal(view.badge, CLOSE_WAIT);
    assert.match(view.message ?? '', new RegExp(`\\(pid ${h.pid}\\) · 5,0\\d\\d sockets`));

    if (screenshotsAvailable()) {
      await vscode.commands.executeCommand('sockscope.sockets.focus');
      await new Promise((r) => setTimeout(r, 2000));
      const png = await screenshot('sockets-grouped-by-peer');
      assert.ok(fs.statSync(png).size > 10000);
    }
  });

  test('the grouping toggle: by state (remote first, local port in the description), then none (flat, state first); sort by fd', async () => {
    const h = holder as Holder;
    const listenB = h.listeners[1]?.port;
    await vscode.commands.executeCommand('sockscope.groupBy.state');
    assert.equal(vscode.workspace.getConfiguration('sockscope').get('view.groupBy'), 'state');
    await vscode.commands.executeCommand('sockscope.sortBy.fd');
    const byState = group(sockscope.view('sockets').rows, 'CLOSE_WAIT') as RenderedRow;
    assert.equal(byState.children.length, 501);
    const fds = h.closeWait.map((e) => e.fd).sort((a, b) => a - b);
    const first = byState.children[0] as RenderedRow;
    assert.match(first.label, /^127\.0\.0\.1:\d+$/);
    assert.match(first.description ?? '', new RegExp(`^local :${listenB} · fd ${fds[0]} · ≥ \\d+ (s|min)$`));
    assert.match(byState.children[1]?.description ?? '', new RegExp(` · fd ${fds[1]} · `));

    await vscode.commands.executeCommand('sockscope.groupBy.none');
    const flat = sockscope.view('sockets').rows.filter((r) => r.id.startsWith('socket:'));
    assert.equal(flat.length, 500);
    assert.match(flat[0]?.description ?? '', new RegExp(`^CLOSE_WAIT · local :${listenB} · fd ${fds[0]} · `));
    await vscode.commands.executeCommand('sockscope.groupBy.peer');
    await vscode.commands.executeCommand('sockscope.sortBy.age');
  });

  test('filter by port, by state, to a peer; the message says so; clearing restores the view', async () => {
    const h = holder as Holder;
    const listenA = h.listeners[0]?.port as number;
    const listenB = h.listeners[1]?.port as number;
    await vscode.commands.executeCommand('sockscope.filter', String(listenA));
    let v = sockscope.view('sockets');
    assert.match(v.message ?? '', new RegExp(`^Filtered by "${listenA}": 7 of 5,0\\d\\d sockets shown`));
    assert.deepEqual(v.rows.filter((r) => r.id.startsWith('group:')).map((r) => [r.label, count(r.description)]), [['ESTABLISHED', 6], ['LISTEN', 1]]);

    await vscode.commands.executeCommand('sockscope.filter', 'close-wait');
    v = sockscope.view('sockets');
    assert.deepEqual(v.rows.filter((r) => r.id.startsWith('group:')).map((r) => r.label), ['CLOSE_WAIT']);
    assert.match(v.message ?? '', /^Filtered by "close-wait": 5,000 of /);

    await vscode.commands.executeCommand('sockscope.filter', '203.0.113.9');
    v = sockscope.view('sockets');
    assert.equal(v.rows.find((r) => r.id === 'info:no-match')?.label, 'No socket matches the filter');

    await vscode.commands.executeCommand('sockscope.clearFilter');
    v = sockscope.view('sockets');
    assert.doesNotMatch(v.message ?? '', /Filtered/);
    // Filter to the outgoing peer of the established pairs, from its row's context command.
    const est = group(v.rows, 'ESTABLISHED') as RenderedRow;
    const out = est.children.find((c) => c.label === `to 127.0.0.1:${listenA}`) as RenderedRow;
    const node = sockscope.node('sockets', out.id);
    assert.ok(node);
    await vscode.commands.executeCommand('sockscope.copyRemote', node);
    assert.equal(await vscode.env.clipboard.readText(), `127.0.0.1:${listenA}`);
    await vscode.commands.executeCommand('sockscope.filterToPeer', node);
    v = sockscope.view('sockets');
    assert.match(v.message ?? '', new RegExp(`^Filtered by "to 127.0.0.1:${listenA}": 3 of `));
    const socketRow = group(v.rows, 'ESTABLISHED')?.children[0]?.children[0] as RenderedRow;
    const socketNode = sockscope.node('sockets', socketRow.id);
    await vscode.commands.executeCommand('sockscope.copySocketText', socketNode);
    assert.match(await vscode.env.clipboard.readText(), new RegExp(`^127\\.0\\.0\\.1:\\d+ → 127\\.0\\.0\\.1:${listenA}$`));
    await vscode.commands.executeCommand('sockscope.clearFilter');
    assert.equal(count(group(sockscope.view('sockets').rows, 'CLOSE_WAIT')?.description), CLOSE_WAIT);
    assert.ok(listenB > 0);
  });

  test('one chart and one status bar item per process: the debuggee view does not take over the Sockets view\'s', async () => {
    const h = holder as Holder;
    await vscode.commands.executeCommand('sockscope.showHistory');
    const holderChart = await waitFor('the holder\'s chart', () => {
      const r = sockscope.historyRendered();
      return r?.title?.includes(`(pid ${h.pid})`) && r.points > 0 ? r : undefined;
    }, 20000);
    assert.ok(holderChart.legend?.some((l) => /^CLOSE_WAIT 5,000$/.test(l)), `legend: ${holderChart.legend?.join(' | ')}`);
    assert.ok(holderChart.legend?.some((l) => /^open descriptors [\d,]+$/.test(l)));
    assert.ok(holderChart.legend?.some((l) => /^limit [\d,]+( \(above the scale\))?$/.test(l)), 'the fd limit is in the legend');
    assert.ok(holderChart.limit === 'drawn' || holderChart.limit === 'off-scale');
    if (screenshotsAvailable()) {
      await new Promise((r) => setTimeout(r, 1500));
      await screenshot('history-holder');
    }
    for (const axis of Object.values(holderChart.axes ?? {})) {
      assert.equal(new Set(axis.x).size, axis.x.length, `repeated time labels: ${axis.x.join(', ')}`);
      assert.equal(new Set(axis.y).size, axis.y.length, `repeated value labels: ${axis.y.join(', ')}`);
    }
    const bar = await waitFor('the status bar to name the holder', () => {
      const s = sockscope.statusBar('sockets');
      return s?.text.includes('CLOSE_WAIT 5,000') ? s : undefined;
    });
    assert.match(bar.text, /holder\.js: CLOSE_WAIT 5,000/);
    assert.doesNotMatch(bar.accessibility ?? '', /\*\*|\$\(/, 'the accessibility label is plain text');
    assert.match(bar.accessibility ?? '', new RegExp(`holder\\.js \\(pid ${h.pid}\\)\\. 5,0\\d\\d sockets, 5,000 in CLOSE_WAIT`));

    // Another process in the Debuggee Sockets view: its own chart and status bar item.
    demo = await startDemo(['--interval', '100', '--bad-every', '2', '--max', '4', '--quiet']);
    await vscode.commands.executeCommand('sockscope.attachDebuggee', demo.pid);
    const demoPid = demo.pid;
    await waitFor('the debuggee status bar item', () => sockscope.statusBar('debuggee')?.text.includes('leaky-server'), 15000);
    assert.match(sockscope.statusBar('sockets')?.text ?? '', /holder\.js: CLOSE_WAIT 5,000/, 'the Sockets view\'s item still shows the holder');
    await vscode.commands.executeCommand('sockscope.showDebuggeeHistory');
    await waitFor('the debuggee\'s chart', () => sockscope.historyRendered()?.title?.includes(`(pid ${demoPid})`), 20000);
    const titles = sockscope.historyTitles();
    assert.ok(titles.some((t) => t.includes(`(pid ${h.pid})`)) && titles.some((t) => t.includes(`(pid ${demoPid})`)), titles.join(' | '));

    // The debuggee exits: no live counts and no badge any more.
    await demo.stop();
    const gone = await waitFor('the debuggee item to say it exited', () => {
      const s = sockscope.statusBar('debuggee');
      return s?.text.endsWith('exited') ? s : undefined;
    }, 15000);
    assert.doesNotMatch(gone.text, /CLOSE_WAIT/);
    assert.equal(sockscope.view('debuggee').badge, undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('snapshot diff: a summary by transition and peer first, then the details; export says where it wrote', async () => {
    // One leaked socket every 0.6 s, 8 in all: the snapshot is taken while it still leaks.
    demo = await startDemo(['--interval', '300', '--bad-every', '2', '--max', '8', '--quiet']);
    const d = demo;
    await vscode.commands.executeCommand('sockscope.attach', d.pid);
    await waitFor('the first sample', () => sockscope.view('sockets').message?.includes(`(pid ${d.pid}) ·`), 15000);
    await vscode.commands.executeCommand('sockscope.takeSnapshot');
    await waitFor('more CLOSE_WAIT sockets', () => (sockscope.view('sockets').badge ?? 0) >= 6, 20000);
    await vscode.commands.executeCommand('sockscope.compareWithSnapshot');
    const text = vscode.window.activeTextEditor?.document.getText() ?? '';
    const summary = text.indexOf('## Summary');
    const details = text.indexOf('# Details');
    assert.ok(summary > 0 && details > summary, text.slice(0, 400));
    const lines = text.slice(summary, details).split('\n');
    const toCloseWait = lines.findIndex((l) => /^- \*\*\d+ (opened in CLOSE_WAIT|ESTABLISHED → CLOSE_WAIT)\*\*$/.test(l));
    assert.ok(toCloseWait > 0, lines.join('\n'));
    assert.match(lines[toCloseWait + 1] ?? '', new RegExp(`^  - \\d+ accepted on :${d.port} from 127\\.0\\.0\\.1$`));

    const target = vscode.Uri.file(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-')), 'snap.json'));
    await vscode.commands.executeCommand('sockscope.exportSnapshot', target);
    assert.match(sockscope.lastExportMessage() ?? '', new RegExp(`^SockScope: exported \\d+ sockets of .* \\(pid ${d.pid}\\) to ${target.fsPath.replace(/[.]/g, '\\.')}$`));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('attach picker: most sockets first, SockScope\'s own helper left out', async () => {
    const h = holder as Holder;
    const picked = vscode.commands.executeCommand<number | undefined>('sockscope.attach');
    const state = await waitFor('the picker to finish counting', () => {
      const p = sockscope.picker();
      return p && !p.busy && p.rows.length > 0 ? p : undefined;
    }, 60000);
    // Other processes of this user may hold more sockets: the holder is listed above all that hold fewer.
    const row = state.rows.findIndex((r) => r.pid === h.pid);
    assert.ok(row >= 0, 'the holder is listed');
    assert.match(state.rows[row]?.description ?? '', /^pid \d+ · 5,0\d\d sockets$/);
    const counts = state.rows.map((r) => Number(/· ([\d,]+) sockets?$/.exec(r.description ?? '')?.[1]?.replace(/,/g, '') ?? -1));
    for (let i = 1; i < counts.length; i++) assert.ok((counts[i] as number) <= (counts[i - 1] as number), `row ${i} out of order`);
    const helpers = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try { return fs.readFileSync(`/proc/${p}/comm`, 'utf8').startsWith('sockscope-netl'); } catch { return false; }
    }).map(Number);
    assert.ok(helpers.length > 0, 'the netlink helper runs (attached views use it), so leaving it out is checked');
    for (const pid of helpers) assert.ok(!state.rows.some((r) => r.pid === pid), `the helper (pid ${pid}) is listed`);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.equal(await picked, state.rows[0]?.pid, 'Enter attaches to the top row');
  });
});
