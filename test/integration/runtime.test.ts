// The runtime half in a real VS Code: attach to the leaking demo, read the Sockets view's rows,
// watch the process exit. Assertions are on what the view shows (its rows, message and badge).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SockScopeApi } from '../../src/vscode/extension';
import type { Demo } from './demo';
import { startDemo } from './demo';
import { heldTcpInodes, screenshot, screenshotsAvailable, waitFor } from './util';

async function api(): Promise<SockScopeApi> {
  const ext = vscode.extensions.getExtension<SockScopeApi>('sockscope.sockscope');
  assert.ok(ext, 'extension not found');
  return ext.activate();
}

suite('runtime: sockets of a live process', function () {
  this.timeout(60000);
  let demo: Demo | undefined;

  teardown(async () => {
    await vscode.commands.executeCommand('sockscope.detach');
    await demo?.stop();
    demo = undefined;
  });

  test('attaching to the demo shows a CLOSE_WAIT group whose count matches what the demo holds', async () => {
    const sockscope = await api();
    // The demo leaks one socket every 2 requests (every 0.2 s) and stops leaking at 6.
    demo = await startDemo(['--interval', '100', '--bad-every', '2', '--max', '6', '--quiet']);
    const pid = demo.pid;
    const leaked = await waitFor('the demo to hold 6 CLOSE_WAIT sockets', () => {
      const held = heldTcpInodes(pid, '08');
      return held.size === 6 ? held : undefined;
    }, 20000);
    await vscode.commands.executeCommand('sockscope.attach', pid);
    assert.equal(sockscope.attachedPid('sockets'), pid);

    const view = await waitFor('a CLOSE_WAIT row', () => {
      const v = sockscope.view('sockets');
      return v.rows.some((r) => r.label === 'CLOSE_WAIT' && /^6 · oldest ≥ \d+ s$/.test(r.description ?? '')) ? v : undefined;
    }, 15000);
    const first = view.rows.find((r) => r.id.startsWith('group:'));
    assert.equal(first?.label, 'CLOSE_WAIT', 'CLOSE_WAIT must be the first group when it is not empty');
    const closeWait = view.rows.find((r) => r.label === 'CLOSE_WAIT');
    // Grouped by peer (the default): one peer, the demo's listening port and the client's host.
    assert.deepEqual(closeWait?.children.map((r) => [r.label, r.description]), [[`on :${demo.port} from 127.0.0.1`, '6']]);
    const rows = closeWait?.children[0]?.children ?? [];
    assert.equal(rows.length, 6);
    for (const row of rows) {
      assert.match(row.label, /^:\d+$/);
      assert.match(row.description ?? '', /^fd \d+ · ≥ \d+ s$/, 'in CLOSE_WAIT before the attach: "at least"');
    }
    const listen = view.rows.find((r) => r.label === 'LISTEN');
    assert.equal(listen?.description, '1');
    assert.equal(listen?.children[0]?.label, `127.0.0.1:${demo.port}`);
    assert.equal(view.badge, 6);
    // The line above the tree states the badge's number (both come from one sample).
    assert.match(view.message ?? '', new RegExp(`\\(pid ${pid}\\) · \\d+ sockets \\(6 in CLOSE_WAIT\\) · \\d+ of [\\d,]+ descriptors`));
    // The demo keeps serving: a good request's socket may sit in CLOSE_WAIT for a moment besides the leaked six.
    const now = heldTcpInodes(pid, '08');
    assert.deepEqual([...leaked].filter((i) => !now.has(i)), [], 'the demo still holds the same leaked sockets');

    if (screenshotsAvailable()) {
      await vscode.commands.executeCommand('sockscope.sockets.focus');
      await new Promise((r) => setTimeout(r, 1500));
      const png = await screenshot('sockets-view');
      assert.ok(fs.statSync(png).size > 10000);
    }
  });

  test('the view says when the process has exited, and polling stops', async () => {
    const sockscope = await api();
    // One leaked socket every 0.6 s: some arrive after the attach.
    demo = await startDemo(['--interval', '300', '--bad-every', '2', '--max', '6', '--quiet']);
    await vscode.commands.executeCommand('sockscope.attach', demo.pid);
    await waitFor('the first sample', () => sockscope.view('sockets').rows.length > 0, 10000);
    // A socket that reaches CLOSE_WAIT while attached has a plain age (no "at least").
    const grown = await waitFor('a CLOSE_WAIT socket seen arriving', () => {
      const cw = sockscope.view('sockets').rows.find((r) => r.label === 'CLOSE_WAIT');
      return cw?.children[0]?.children.find((r) => /^fd \d+ · \d+ s$/.test(r.description ?? ''));
    }, 10000);
    assert.match(grown.label, /^:\d+$/);
    await demo.stop();
    const message = await waitFor('the exited message', () => {
      const m = sockscope.view('sockets').message;
      return m?.includes('has exited') ? m : undefined;
    }, 10000);
    assert.match(message, /polling stopped/);
    assert.equal(sockscope.view('sockets').badge, undefined, 'no live CLOSE_WAIT count once the process is gone');
    // Ages are worked out against the clock: compare the rows without them.
    const rows = (): string => JSON.stringify(sockscope.view('sockets').rows).replace(/\d+ (s|min)/g, 'AGE');
    const before = rows();
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(rows(), before, 'the tree must not change once the process is gone');
  });

  test('Attach by Port finds the demo by its listening port', async () => {
    const sockscope = await api();
    demo = await startDemo(['--interval', '1000', '--max', '1', '--quiet']);
    const pid = await vscode.commands.executeCommand<number | undefined>('sockscope.attachByPort', demo.port);
    assert.equal(pid, demo.pid);
    assert.equal(sockscope.attachedPid('sockets'), demo.pid);
  });

  test('bad input never throws out of a command: non-numeric pid, unknown pid, unused port', async () => {
    const sockscope = await api();
    await vscode.commands.executeCommand('sockscope.detach');
    assert.equal(await vscode.commands.executeCommand('sockscope.attach', 'not-a-pid'), undefined);
    assert.equal(await vscode.commands.executeCommand('sockscope.attach', 3999999), undefined);
    assert.equal(sockscope.attachedPid('sockets'), undefined, 'an unknown pid must not be attached');
    assert.equal(await vscode.commands.executeCommand('sockscope.attachByPort', 'http'), undefined);
    assert.equal(await vscode.commands.executeCommand('sockscope.attachByPort', 1), undefined);
  });

  test('Export Snapshot writes the sockets as JSON', async () => {
    const sockscope = await api();
    demo = await startDemo(['--interval', '100', '--bad-every', '2', '--max', '2', '--quiet']);
    await vscode.commands.executeCommand('sockscope.attach', demo.pid);
    await waitFor('two CLOSE_WAIT sockets', () => sockscope.view('sockets').badge === 2, 15000);
    const target = vscode.Uri.file(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-')), 'snap.json'));
    await vscode.commands.executeCommand('sockscope.exportSnapshot', target);
    const json = JSON.parse(fs.readFileSync(target.fsPath, 'utf8')) as { pid: number; sockets: { state: string }[] };
    assert.equal(json.pid, demo.pid);
    assert.equal(json.sockets.filter((s) => s.state === 'CLOSE_WAIT').length, 2);
  });
});
