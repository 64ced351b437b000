// Auto-attach while debugging: the leaking demo runs under VS Code's JavaScript debugger from the test
// workspace's launch.json; the Debuggee Sockets view must find its pid with no user action, show the
// CLOSE_WAIT count growing and the leak warning, and detach when the session stops.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { SockScopeApi } from '../../src/vscode/extension';
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
});
