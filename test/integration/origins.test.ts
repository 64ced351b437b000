// Socket origins in a real VS Code: the demo's C client (demo/leaky_client.c, the seed's send_message)
// built with -g and started by "SockScope: Run with Socket Origins…"; the view grouped by origin shows
// its creation site, a click on it opens that line, the leak warning names the site, and the editor's
// findings in that file carry the running process's confirmation (raised to errors); a leaking site no
// finding explains gets an information diagnostic. A process started without the recorder shows the
// "origins unknown" row with the command to restart it. (Origins while debugging: debug.test.ts.)
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SockScopeApi } from '../../src/vscode/extension';
import type { RenderedRow } from '../../src/vscode/socketsView';
import type { Demo } from './demo';
import { startDemo } from './demo';
import { heldTcpSockets, screenshot, screenshotsAvailable, waitFor } from './util';

async function api(): Promise<SockScopeApi> {
  const ext = vscode.extensions.getExtension<SockScopeApi>('sockscope.sockscope');
  assert.ok(ext, 'extension not found');
  return ext.activate();
}

const hasCc = process.platform === 'linux' && spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;

/** The 1-based line of the first line of `file` that contains `text`. */
function lineOf(file: string, text: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `no "${text}" in ${file}`);
  return i + 1;
}

suite('origins: from a leaking socket to the line that created it', function () {
  this.timeout(120000);
  let sockscope: SockScopeApi;
  let demo: Demo | undefined;
  let dir: string;
  let source: string;
  let clientPid: number | undefined;
  const config = () => vscode.workspace.getConfiguration('sockscope');

  suiteSetup(async function () {
    if (!hasCc) { this.skip(); return; }
    sockscope = await api();
    const ext = vscode.extensions.getExtension('sockscope.sockscope') as vscode.Extension<unknown>;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-origins-'));
    source = path.join(dir, 'leaky_client.c');
    fs.copyFileSync(path.join(ext.extensionPath, 'demo', 'leaky_client.c'), source);
    execFileSync('cc', ['-g', '-O0', '-o', path.join(dir, 'leaky_client'), source]);
    // A leak counts once its CLOSE_WAIT sockets sit idle this long: keep the test short.
    await config().update('warnings.closeWaitIdleSeconds', 2, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    if (!hasCc) return;
    if (clientPid) try { process.kill(clientPid, 'SIGTERM'); } catch { /* gone */ }
    for (const t of vscode.window.terminals) if (t.name.startsWith('SockScope: ')) t.dispose();
    await config().update('warnings.closeWaitIdleSeconds', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('sockscope.groupBy.peer');
    await vscode.commands.executeCommand('sockscope.detach');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await demo?.stop();
  });

  test('Run with Socket Origins: grouped by origin the site shows with its CLOSE_WAIT count, a click opens its line, the warning names it, the findings are confirmed', async () => {
    const envPort = Number(process.env.SOCKSCOPE_DEMO_PORT);
    let port = envPort;
    if (!Number.isInteger(envPort) || envPort <= 0) {
      demo = await startDemo(['--quiet']);
      port = demo.port;
    }
    const socketLine = lineOf(source, 'sockfd = socket(');
    const pid = await vscode.commands.executeCommand<number>('sockscope.runWithOrigins',
      { command: [path.join(dir, 'leaky_client'), '--port', String(port), '--interval', '100', '--long-every', '2', '--max', '30'], cwd: dir });
    clientPid = pid;
    assert.ok(Number.isInteger(pid), 'the command returns the pid it started');
    assert.equal(sockscope.attachedPid('sockets'), pid, 'the Sockets view attaches to the program, not to the runner');
    assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /leaky_client/);

    await vscode.commands.executeCommand('sockscope.groupBy.origin');
    const label = `leaky_client.c:${socketLine} send_message`;
    const site = await waitFor(`the creation site "${label}" with CLOSE_WAIT sockets`, () =>
      sockscope.view('sockets').rows.find((r) => r.id.startsWith('site:') && r.label === label && /^CLOSE_WAIT \d+/.test(r.description ?? '')), 30000);
    const closeWait = site.children.find((r) => r.label === 'CLOSE_WAIT') as RenderedRow;
    assert.ok(closeWait, 'site → state');
    assert.ok(closeWait.children.length > 0, 'state → sockets');
    assert.doesNotMatch(closeWait.children[0]?.description ?? '', /send_message/, 'under its site a socket row does not repeat it');
    // The stack, innermost first, every name escaped for Markdown (`_`, `.` and `:` included).
    assert.match(site.tooltip ?? '', new RegExp(`\\*\\*send\\\\_message\\*\\* [^\\n]*leaky\\\\_client\\\\\\.c\\\\:${socketLine}\\n- \\*\\*main\\*\\* `), site.tooltip);

    // A click on the site runs its command: the file opens at the socket() line.
    assert.equal(site.command?.command, 'sockscope.openOrigin');
    const opened = await vscode.commands.executeCommand<string>(site.command.command, ...(site.command.arguments ?? []));
    assert.equal(opened, source);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, source);
    assert.equal(editor?.selection.active.line, socketLine - 1);

    // Grouped by state, each socket row ends with its origin.
    await vscode.commands.executeCommand('sockscope.groupBy.state');
    // (A socket made since the recorder's file was last read gets its origin at the next read.)
    const cw = await waitFor('every CLOSE_WAIT row ending with its origin', () => {
      const g = sockscope.view('sockets').rows.find((r) => r.id === 'group:tcp:CLOSE_WAIT');
      return g?.children.length && g.children.every((r) => r.description?.endsWith(` · ${label}`)) ? g : undefined;
    }, 20000);
    assert.equal(cw.children[0]?.command?.command, 'sockscope.openOrigin');
    assert.match(cw.children[0]?.tooltip ?? '', /\*\*Created at leaky\\_client\\\.c\\:\d+\*\*/, 'a socket\'s tooltip has its stack');
    // A site whose file is not on this machine, or without line information, opens nothing (a message says why).
    assert.equal(await vscode.commands.executeCommand('sockscope.openOrigin', { frames: [{ file: '/nonexistent/src/client.c', line: 3, function: 'f', module: '/nonexistent/client' }] }), undefined);
    assert.equal(await vscode.commands.executeCommand('sockscope.openOrigin', { frames: [{ file: null, line: null, function: 'f', module: '/usr/lib/libx.so' }], note: 'no debug info: build with -g' }), undefined);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, source, 'the editor stays where it was');
    await vscode.commands.executeCommand('sockscope.groupBy.origin');

    // The leak warning names the site.
    const wording = new RegExp(`^[\\d,]+ idle CLOSE_WAIT sockets?, 100 % created at leaky_client\\.c:${socketLine} in send_message$`);
    const warning = await waitFor('the CLOSE_WAIT leak warning naming the site', () =>
      sockscope.view('sockets').rows.find((r) => r.id === 'warning:close-wait-growth' && wording.test(r.label)), 45000);
    // A click on the warning opens the site it names, like the site's own row.
    const before = vscode.window.activeTextEditor;
    if (before) before.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(warning.command?.command, 'sockscope.openOrigin');
    assert.equal(await vscode.commands.executeCommand<string>(warning.command.command, ...(warning.command.arguments ?? [])), source);
    assert.equal(vscode.window.activeTextEditor?.selection.active.line, socketLine - 1);

    // The demo server answered and closed its side of each of those connections: the client's leak
    // leaves the client's sockets in CLOSE_WAIT, not a FIN_WAIT_2 socket and a descriptor in the server.
    const serverPid = demo?.pid ?? Number(process.env.SOCKSCOPE_DEMO_PID);
    assert.equal(heldTcpSockets(serverPid, '05'), 0, 'the demo server holds no FIN_WAIT_2 socket of the leaked connections');

    // The editor: the three findings of send_message (setsockopt, gethostbyname and the reply-too-long
    // exits) are errors now, confirmed by pid's CLOSE_WAIT sockets created on the socket() line.
    const uri = vscode.Uri.file(source);
    const confirmed = await waitFor('three findings confirmed by the running process', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'sockscope');
      return d.length === 3 && d.every((x) => x.severity === vscode.DiagnosticSeverity.Error) ? d : undefined;
    }, 30000);
    for (const d of confirmed) {
      assert.match(d.message, new RegExp(`^\`sockfd\` \\(socket\\(\\) on line ${socketLine}\\) is not closed on this path.* — confirmed by the running process: [\\d,]+ sockets? created on line ${socketLine} (is|are) in CLOSE_WAIT in pid ${pid} now\\.$`));
    }
    assert.deepEqual(confirmed.map((d) => d.range.start.line + 1).sort((a, b) => a - b),
      [lineOf(source, 'Error assigning socket option') + 1, lineOf(source, 'No such host') + 1, lineOf(source, 'Reply does not fit') + 1]);

    // Fixing the code does not fix the process already running: after "Close on all paths" no finding
    // explains the leaking site, and the note there says that the file changed after the process started.
    const doc = await vscode.workspace.openTextDocument(uri);
    const original = doc.getText();
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, confirmed[0]?.range, vscode.CodeActionKind.QuickFix.value);
    const fixAll = actions.find((a) => a.title === 'Close `sockfd` on all paths');
    assert.ok(fixAll?.edit, `the all-paths fix is offered: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fixAll.edit));
    const note = await waitFor('the note that the process runs the code from before the fix', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'sockscope');
      return d.length === 1 && d[0]?.severity === vscode.DiagnosticSeverity.Information ? d[0] : undefined;
    }, 30000);
    assert.equal(note.range.start.line, socketLine - 1);
    assert.match(note.message, new RegExp(`^[\\d,]+ sockets? created here (is|are) in CLOSE_WAIT in pid ${pid} now\\. This file changed after pid ${pid} started, so the process still runs the code from before the change: `));
    // Undone (the original text back): the three findings, confirmed again.
    const undo = new vscode.WorkspaceEdit();
    undo.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), original);
    assert.ok(await vscode.workspace.applyEdit(undo));
    await waitFor('the three confirmed findings back after the undo', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'sockscope');
      return d.length === 3 && d.every((x) => x.severity === vscode.DiagnosticSeverity.Error);
    }, 30000).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => [d.severity, d.range.start.line, d.message.slice(0, 80)]))}`);
    });
    assert.ok(await doc.save(), 'saved (no unsaved file left for the suite\'s teardown)');

    if (screenshotsAvailable()) {
      await vscode.window.showTextDocument(vscode.Uri.file(source), { selection: confirmed[0]?.range });
      await vscode.commands.executeCommand('sockscope.sockets.focus');
      // The Problems panel shows the confirmed findings' messages.
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await vscode.commands.executeCommand('sockscope.sockets.focus');
      await new Promise((r) => setTimeout(r, 1500));
      const png = await screenshot('origins-grouped-by-origin');
      assert.ok(fs.statSync(png).size > 10000);
    }

    // The process gone, nothing leaks now: the findings go back to warnings.
    process.kill(pid, 'SIGTERM');
    clientPid = undefined;
    await waitFor('the findings back to warnings once the process has exited', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'sockscope');
      return d.length === 3 && d.every((x) => x.severity === vscode.DiagnosticSeverity.Warning && !x.message.includes('confirmed by the running process')) ? d : undefined;
    }, 20000);
  });

  test('a leaking site that no finding explains gets an information diagnostic on its line', async () => {
    const ext = vscode.extensions.getExtension('sockscope.sockscope') as vscode.Extension<unknown>;
    // pooled.c keeps every connection in a pool it never drains: a hand-off to the analysis, a leak at run time.
    const pooled = path.join(dir, 'pooled.c');
    fs.copyFileSync(path.join(ext.extensionPath, 'test', 'fixtures', 'origins', 'pooled.c'), pooled);
    execFileSync('cc', ['-g', '-O0', '-o', path.join(dir, 'pooled'), pooled]);
    if (!demo && !(Number(process.env.SOCKSCOPE_DEMO_PORT) > 0)) demo = await startDemo(['--quiet']);
    const port = demo?.port ?? Number(process.env.SOCKSCOPE_DEMO_PORT);
    const siteLine = lineOf(pooled, '/* SITE:pool_connect */');
    const pid = await vscode.commands.executeCommand<number>('sockscope.runWithOrigins', { command: [path.join(dir, 'pooled'), String(port), '50', '12'], cwd: dir });
    clientPid = pid;
    const uri = vscode.Uri.file(pooled);
    // Not opened in an editor: the leaking site's file is analysed from disk (no finding), then noted.
    const note = await waitFor('the information diagnostic at the pool_connect socket() line', () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.source === 'sockscope' && d.severity === vscode.DiagnosticSeverity.Information), 45000);
    assert.equal(note.range.start.line, siteLine - 1);
    assert.match(note.message, new RegExp(`^\\d+ sockets? created here (is|are) in CLOSE_WAIT in pid ${pid} now, but the analysis could not prove which path leaks (it|them): look for a path out of pool_connect `));
    assert.equal(typeof note.code === 'object' ? note.code.value : note.code, 'sockscope.runtime-leak');
    assert.equal(vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'sockscope').length, 1, 'no static finding in pooled.c');
    process.kill(pid, 'SIGTERM');
    clientPid = undefined;
    await waitFor('the note gone once the process has exited', () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'sockscope').length === 0, 20000);
  });

  test('a process started without the recorder: one row says origins are unknown, with the command to restart it', async () => {
    if (!demo) demo = await startDemo(['--quiet']);
    await vscode.commands.executeCommand('sockscope.attach', demo.pid);
    const row = await waitFor('the origins-unknown row', () => sockscope.view('sockets').rows.find((r) => r.id === 'info:origins-unknown'), 20000);
    assert.equal(row.label, 'Origins unknown — restart it with SockScope');
    assert.match(row.description ?? '', /^sockscope run -- .*leaky-server/);
    assert.equal(row.command?.command, 'sockscope.runWithOrigins');
    assert.deepEqual(row.command?.arguments, [{ restartPid: demo.pid }]);
    // Grouped by origin, it comes first and the sockets are shown by state.
    const rows = sockscope.view('sockets').rows.filter((r) => !r.id.startsWith('warning:'));
    assert.equal(rows[0]?.id, 'info:origins-unknown');
    assert.ok(rows.some((r) => r.id === 'group:tcp:LISTEN'));
  });
});
