// Auto-attach while debugging: the leaking demo runs under VS Code's JavaScript debugger from the test
// workspace's launch.json; the Debuggee Sockets view must find its pid with no user action, show the
// CLOSE_WAIT count growing and the leak warning, and detach when the session stops. With socket origins
// (sockscope.origins.onDebug, on by default) a pwa-node launch that sets its own NODE_OPTIONS gets the
// recorder added to them, and the Debuggee view grouped by origin shows the leak's creation site in the
// demo server; clicking it opens that line.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SockScopeApi } from '../../src/vscode/extension';
import type { RenderedRow } from '../../src/vscode/socketsView';
import { screenshot, screenshotsAvailable, waitFor } from './util';

async function api(): Promise<SockScopeApi> {
  const ext = vscode.extensions.getExtension<SockScopeApi>('sockscope.sockscope');
  assert.ok(ext, 'extension not found');
  return ext.activate();
}

function closeWaitCount(rows: ReturnType<SockScopeApi['view']>['rows']): number {
  return Number(/^[\d,]+/.exec(rows.find((r) => r.label === 'CLOSE_WAIT')?.description ?? '0')?.[0]?.replace(/,/g, '') ?? 0);
}

suite('debug: auto-attach to the debuggee', function () {
  this.timeout(120000);

  teardown(async () => {
    await vscode.debug.stopDebugging();
  });

  test('a Node.js debug session from launch.json is attached, its leak is flagged, and stopping detaches', async () => {
    const sockscope = await api();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is not open');
    assert.equal(sockscope.attachedPid('debuggee'), undefined);
    const started = await vscode.debug.startDebugging(folder, 'Leaky demo server');
    assert.ok(started, 'the debug session did not start');

    const pid = await waitFor('the Debuggee Sockets view to attach', () => sockscope.attachedPid('debuggee'), 30000);
    // The demo names itself (process.title) "leaky-server", and its client subprocess "leaky-client".
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    assert.match(cmdline, /leaky-server/, `attached to the wrong process: ${cmdline}`);
    assert.doesNotMatch(cmdline, /leaky-client|--client/, 'attached to the demo\'s client subprocess instead of the server');

    const first = await waitFor('CLOSE_WAIT sockets', () => closeWaitCount(sockscope.view('debuggee').rows) || undefined, 20000);
    const later = await waitFor('the CLOSE_WAIT count to grow', () => {
      const n = closeWaitCount(sockscope.view('debuggee').rows);
      return n >= first + 3 ? n : undefined;
    }, 20000);
    assert.ok(later > first);

    const warning = await waitFor('the CLOSE_WAIT leak warning', () =>
      sockscope.view('debuggee').rows.find((r) => r.id === 'warning:close-wait-growth'), 45000);
    assert.match(warning.label, /CLOSE_WAIT/);
    assert.equal(sockscope.view('debuggee').rows[0]?.id, 'warning:close-wait-growth', 'warnings sit at the top of the tree');
    assert.match(sockscope.view('debuggee').message ?? '', /Leaky demo server/);

    await vscode.commands.executeCommand('sockscope.showDebuggeeHistory');
    const drawn = await waitFor('the history chart to draw', () => {
      const r = sockscope.historyRendered();
      return r && r.points > 0 && r.lines.includes('CLOSE_WAIT') ? r : undefined;
    }, 15000);
    assert.ok(drawn.points >= 10);
    if (screenshotsAvailable()) {
      await new Promise((r) => setTimeout(r, 1000));
      await screenshot('history-chart');
    }
    // Hidden and shown again, the page is rebuilt and asks for its data anew.
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.commands.executeCommand('sockscope.showDebuggeeHistory');
    await waitFor('the chart to draw again after being hidden', () => (sockscope.historyRendered()?.points ?? 0) > drawn.points - 5, 15000);

    await vscode.debug.stopDebugging();
    await waitFor('the view to detach when the session ends', () => sockscope.attachedPid('debuggee') === undefined, 15000);
  });

  test('pwa-node with its own NODE_OPTIONS: the origins recorder is added to them, and grouped by origin the Debuggee view shows the leak\'s line; a click opens it', async function () {
    if (process.platform !== 'linux') { this.skip(); return; }
    const sockscope = await api();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is not open');
    const ext = vscode.extensions.getExtension('sockscope.sockscope') as vscode.Extension<unknown>;
    const recorder = path.join(ext.extensionPath, 'dist', 'lib', 'node', 'sockscope-origins.js');
    assert.ok(fs.existsSync(recorder), `the build has the Node.js recorder: ${recorder}`);
    // The workspace's leaky-server.js requires the demo: its sockets are created in demo/leaky-server.js,
    // the accepted (and leaked) ones at the server's listen() call in runServer.
    const server = path.join(ext.extensionPath, 'demo', 'leaky-server.js');
    const listenLine = fs.readFileSync(server, 'utf8').split('\n').findIndex((l) => l.includes('server.listen(port,')) + 1;
    assert.ok(listenLine > 0, 'the listen() line of the demo server');
    const own = '--max-old-space-size=200';
    await vscode.commands.executeCommand('sockscope.groupBy.origin');
    try {
      const started = await vscode.debug.startDebugging(folder, {
        type: 'pwa-node', request: 'launch', name: 'Leaky demo server (own NODE_OPTIONS)',
        program: path.join(folder.uri.fsPath, 'leaky-server.js'), args: ['--interval', '150', '--bad-every', '2', '--max', '200'],
        console: 'internalConsole', skipFiles: ['<node_internals>/**'], env: { NODE_OPTIONS: own },
      });
      assert.ok(started, 'the debug session did not start');
      const pid = await waitFor('the Debuggee Sockets view to attach', () => sockscope.attachedPid('debuggee'), 30000);
      assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '), /leaky-server/);

      // NODE_OPTIONS as the debuggee got it: the user's option kept, the recorder added after it (js-debug
      // adds its own bootloader too).
      const nodeOptions = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith('NODE_OPTIONS='))?.slice('NODE_OPTIONS='.length) ?? '';
      assert.ok(nodeOptions.includes(own), `the user's NODE_OPTIONS are kept: ${nodeOptions}`);
      const ours = nodeOptions.indexOf(`--require ${recorder}`);
      assert.ok(ours > nodeOptions.indexOf(own), `the recorder's --require comes after the user's options: ${nodeOptions}`);

      const label = `leaky-server.js:${listenLine} runServer`;
      const site = await waitFor(`the creation site "${label}" with CLOSE_WAIT sockets`, () =>
        sockscope.view('debuggee').rows.find((r) => r.id.startsWith('site:') && r.label === label && /^CLOSE_WAIT \d+/.test(r.description ?? '')), 60000)
        .catch((e: Error) => {
          throw new Error(`${e.message}; rows ${JSON.stringify(sockscope.view('debuggee').rows.map((r) => [r.id.slice(0, 40), r.label, r.description]))}`);
        });
      assert.ok(!sockscope.view('debuggee').rows.some((r) => r.id === 'info:origins-unknown'), 'the debuggee has recorded origins');
      const closeWait = site.children.find((r) => r.label === 'CLOSE_WAIT') as RenderedRow;
      assert.ok(closeWait?.children.length, 'site → CLOSE_WAIT → sockets');
      // The line above the tree states the badge's CLOSE_WAIT count (one sample makes both).
      const view = sockscope.view('debuggee');
      assert.match(view.message ?? '', new RegExp(`\\(${(view.badge ?? 0).toLocaleString('en-US')} in CLOSE_WAIT\\)`));

      // A click on the site runs its command: demo/leaky-server.js opens at the listen() line.
      assert.equal(site.command?.command, 'sockscope.openOrigin');
      const opened = await vscode.commands.executeCommand<string>(site.command.command, ...(site.command.arguments ?? []));
      assert.equal(opened, server);
      const editor = vscode.window.activeTextEditor;
      assert.equal(editor?.document.uri.fsPath, server);
      assert.equal(editor?.selection.active.line, listenLine - 1);

      if (screenshotsAvailable()) {
        await vscode.commands.executeCommand('sockscope.debuggeeSockets.focus');
        await new Promise((r) => setTimeout(r, 1500));
        const png = await screenshot('debuggee-grouped-by-origin');
        assert.ok(fs.statSync(png).size > 10000);
      }
    } finally {
      await vscode.commands.executeCommand('sockscope.groupBy.peer');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
