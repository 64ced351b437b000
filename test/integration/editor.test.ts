// The editor half in a real VS Code: diagnostics on the leaking lines of real files, and the text after
// applying the preferred quick fix. Files are copied to a temp folder so the repository is never edited.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { screenshot, screenshotsAvailable, waitFor } from './util';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');

function copyToTemp(name: string, text: string): vscode.Uri {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-editor-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

async function open(uri: vscode.Uri): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  return doc;
}

function sockscopeDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'sockscope');
}

/** Waits until SockScope has published exactly `count` diagnostics for `uri`, and returns them. */
function waitForDiagnostics(uri: vscode.Uri, count: number, what: string): Promise<vscode.Diagnostic[]> {
  return waitFor(what, () => {
    const d = sockscopeDiagnostics(uri);
    return d.length === count ? d : undefined;
  }, 20000);
}

/** Applies the preferred quick fix offered at `diagnostic` and returns its title. */
async function applyPreferredFix(doc: vscode.TextDocument, diagnostic: vscode.Diagnostic): Promise<string> {
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
  const preferred = actions.find((a) => a.isPreferred && a.edit);
  assert.ok(preferred?.edit, `no preferred quick fix; offered: ${actions.map((a) => a.title).join(' | ')}`);
  assert.ok(await vscode.workspace.applyEdit(preferred.edit));
  return preferred.title;
}

/** `text` with `insert` placed as a new line after line `afterLine` (1-based). */
function insertLine(text: string, afterLine: number, insert: string): string {
  const lines = text.split('\n');
  lines.splice(afterLine, 0, insert);
  return lines.join('\n');
}

suite('editor: leak diagnostics and quick fixes', function () {
  this.timeout(60000);

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('C: the seed client\'s two remaining leaks are flagged and "Close on all paths" fixes both', async () => {
    const original = fs.readFileSync(path.join(FIXTURES, 'c', 'seed_send_message_fixed.c'), 'utf8');
    const doc = await open(copyToTemp('send_message.c', original));
    assert.equal(doc.languageId, 'c');
    const diagnostics = await waitForDiagnostics(doc.uri, 2, 'two sockscope diagnostics');
    diagnostics.sort((a, b) => a.range.start.line - b.range.start.line);
    // Lines 38 and 44 (1-based) are the setsockopt-failure and gethostbyname-failure `return FALSE;`.
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.range.end.line + 1, d.range.end.character + 1]),
      [[38, 9, 38, 22], [44, 9, 44, 22]]);
    for (const d of diagnostics) {
      assert.equal(doc.getText(d.range), 'return FALSE;');
      assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
      assert.match(d.message, /`sockfd` \(socket\(\) on line 29\) is not closed on this path/);
      assert.equal(typeof d.code === 'object' ? d.code.value : d.code, 'sockscope.leak');
      assert.equal(d.relatedInformation?.[0]?.location.range.start.line, 28, 'related information points at the socket() call');
    }
    if (screenshotsAvailable()) {
      const editor = vscode.window.activeTextEditor!;
      editor.selection = new vscode.Selection(diagnostics[0]!.range.start, diagnostics[0]!.range.start);
      editor.revealRange(diagnostics[0]!.range, vscode.TextEditorRevealType.InCenter);
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
      await vscode.commands.executeCommand('editor.action.marker.next');
      await new Promise((r) => setTimeout(r, 1500));
      await screenshot('editor-c-diagnostics');
    }

    const title = await applyPreferredFix(doc, diagnostics[0]!);
    assert.equal(title, 'Close `sockfd` on all paths');
    const expected = insertLine(insertLine(original, 43, '        close(sockfd);'), 37, '        close(sockfd);');
    assert.equal(doc.getText(), expected);
    await waitFor('the diagnostics to clear after the fix', () => sockscopeDiagnostics(doc.uri).length === 0, 20000);
  });

  test('source.fixAll.sockscope fixes every leak of a file in one action', async () => {
    const original = fs.readFileSync(path.join(FIXTURES, '..', 'workspace', 'leaky_server.c'), 'utf8');
    const doc = await open(copyToTemp('leaky_server.c', original));
    await waitForDiagnostics(doc.uri, 2, 'two sockscope diagnostics');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider',
      doc.uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll.sockscope');
    const fixAll = actions.find((a) => a.kind?.value === 'source.fixAll.sockscope');
    assert.ok(fixAll?.edit, `no fix-all action; offered: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fixAll.edit));
    const text = doc.getText();
    assert.equal(text.split('close(fd);').length - 1, 3, 'one close before each of the two leaking returns, plus the original');
    await waitFor('the diagnostics to clear after fix-all', () => sockscopeDiagnostics(doc.uri).length === 0, 20000);
  });

  test('Go: "Defer conn.Close()" lands after the error check', async () => {
    const original = [
      'package main', '', 'import "net"', '', 'func send(addr string, msg []byte) error {',
      '\tconn, err := net.Dial("tcp", addr)', '\tif err != nil {', '\t\treturn err', '\t}',
      '\tif _, err := conn.Write(msg); err != nil {', '\t\treturn err', '\t}', '\treturn nil', '}', '',
    ].join('\n');
    const doc = await open(copyToTemp('send.go', original));
    const diagnostics = await waitForDiagnostics(doc.uri, 2, 'two findings for conn');
    assert.deepEqual(diagnostics.map((d) => d.range.start.line + 1).sort((a, b) => a - b), [11, 13]);
    const title = await applyPreferredFix(doc, diagnostics[0]!);
    assert.match(title, /conn\.Close\(\)/);
    assert.equal(doc.getText(), insertLine(original, 9, '\tdefer conn.Close()'));
    await waitFor('the diagnostics to clear after the fix', () => sockscopeDiagnostics(doc.uri).length === 0, 20000);
  });

  test('Java: an exception path is flagged and try-with-resources fixes it', async () => {
    const original = [
      'import java.io.IOException;', 'import java.net.Socket;', '', 'class Client {',
      '    static void ping(String host, int port, byte[] b) throws IOException {',
      '        Socket s = new Socket(host, port);', '        s.getOutputStream().write(b);', '        s.close();', '    }', '}', '',
    ].join('\n');
    const doc = await open(copyToTemp('Client.java', original));
    const [diagnostic] = await waitForDiagnostics(doc.uri, 1, 'one finding for s');
    assert.equal(diagnostic!.range.start.line + 1, 7);
    assert.match(diagnostic!.message, /exception from `write\(\)` here leaks `s`/);
    const title = await applyPreferredFix(doc, diagnostic!);
    assert.equal(title, 'Use try-with-resources for `s`');
    assert.equal(doc.getText(), [
      'import java.io.IOException;', 'import java.net.Socket;', '', 'class Client {',
      '    static void ping(String host, int port, byte[] b) throws IOException {',
      '        try (Socket s = new Socket(host, port)) {', '            s.getOutputStream().write(b);', '        }', '    }', '}', '',
    ].join('\n'));
    await waitFor('the diagnostics to clear after the fix', () => sockscopeDiagnostics(doc.uri).length === 0, 20000);
  });

  test('Python: leaks are reported at the exits that lose them and "Use with" re-indents the block', async () => {
    const original = [
      'import socket', '', 'def echo_once(port):', '    srv = socket.create_server(("127.0.0.1", port))',
      '    conn, _ = srv.accept()', '    conn.sendall(conn.recv(1024))', '    conn.close()', '    srv.close()', '    return True', '',
    ].join('\n');
    const doc = await open(copyToTemp('echo.py', original));
    // srv where accept() and sendall()/recv() may raise, conn where sendall()/recv() may raise.
    const diagnostics = await waitForDiagnostics(doc.uri, 3, 'findings for srv and conn');
    diagnostics.sort((a, b) => a.range.start.line - b.range.start.line);
    assert.deepEqual(diagnostics.map((d) => d.range.start.line + 1), [5, 6, 6]);
    assert.match(diagnostics[0]!.message, /srv/);
    const title = await applyPreferredFix(doc, diagnostics[0]!);
    assert.equal(title, 'Use `with` for `srv`');
    assert.equal(doc.getText(), [
      'import socket', '', 'def echo_once(port):', '    with socket.create_server(("127.0.0.1", port)) as srv:',
      '        conn, _ = srv.accept()', '        conn.sendall(conn.recv(1024))', '        conn.close()', '        srv.close()', '    return True', '',
    ].join('\n'));
  });

  test('a file that does not parse gives at most its real finding and no exception', async () => {
    const broken = await open(copyToTemp('broken.c', 'int f( { int fd = socket(2, 1, 0); if (fd < 0 return -1; }}}}\n'));
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(sockscopeDiagnostics(broken.uri).length <= 1);
  });

  test('Scan Workspace for Socket Leaks reports the workspace\'s leaking C file and skips binary and huge files', async () => {
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const junk = path.join(root, '.scan-tmp');
    fs.mkdirSync(junk, { recursive: true });
    fs.writeFileSync(path.join(junk, 'blob.c'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0]));
    fs.writeFileSync(path.join(junk, 'huge.c'), 'int x;\n'.repeat(400_000));
    // A FIFO and a link to /dev/zero would block or never end a read: the scan must skip them.
    if (process.platform !== 'win32') {
      execFileSync('mkfifo', [path.join(junk, 'pipe.c')]);
      fs.symlinkSync('/dev/zero', path.join(junk, 'zero.c'));
    }
    let result: { files: number; findings: number } | undefined;
    try {
      result = await vscode.commands.executeCommand<{ files: number; findings: number }>('sockscope.scanWorkspace');
    } finally {
      fs.rmSync(junk, { recursive: true, force: true });
    }
    assert.equal(sockscopeDiagnostics(vscode.Uri.file(path.join(junk, 'blob.c'))).length, 0);
    assert.ok(result && result.files >= 1, 'nothing was scanned');
    assert.ok(result.findings >= 2, `expected the two leaks of leaky_server.c, got ${result.findings}`);
    const leaky = vscode.Uri.file(path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'leaky_server.c'));
    assert.deepEqual(sockscopeDiagnostics(leaky).map((d) => d.range.start.line + 1).sort((a, b) => a - b), [13, 16]);
  });
});
