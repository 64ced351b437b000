// The extension loads in a real VS Code, activates, and registers every command it contributes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pageText, screenshot, screenshotsAvailable, waitFor } from './util';

const EXTENSION_ID = 'sockscope.sockscope';

suite('activation', () => {
  test('the extension is installed and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('activate() returns in less than 100 ms (its own timing, read from the SockScope log file)', async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const api = (await ext.activate()) as { logUri: vscode.Uri };
    // The log channel's file lies under the extension's log folder (or beside it, by VS Code version).
    const logFiles = (dir: string, depth: number): string[] => {
      if (!fs.existsSync(dir)) return [];
      return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return depth > 0 ? logFiles(p, depth - 1) : [];
        return e.name.endsWith('.log') ? [p] : [];
      });
    };
    const line = await waitFor('the activation line in the SockScope log', () => {
      for (const f of logFiles(path.dirname(api.logUri.fsPath), 2)) {
        const m = /\[main\] activated in ([\d.]+) ms/.exec(fs.readFileSync(f, 'utf8'));
        if (m) return m;
      }
      return undefined;
    }, 15000);
    const ms = Number(line[1]);
    this.test!.title += `: ${ms} ms`; // the spec reporter prints the title once the test has run
    assert.ok(ms < 100, `activate() took ${ms} ms`);
  });

  test('VS Code\'s own Running Extensions editor shows SockScope\'s activation time', async function () {
    if (!screenshotsAvailable()) this.skip(); // reading the page needs the code-server harness
    this.timeout(90000);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    // A development extension is listed by its id, an installed one by its display name.
    const name = (ext.packageJSON as { displayName: string }).displayName;
    await vscode.commands.executeCommand('workbench.action.showRuntimeExtensions');
    try {
      // The row VS Code renders for the extension: name, version, then "Activation: N ms".
      let seen: string[] = [];
      let harness = '';
      const row = await waitFor('the SockScope row in Running Extensions', async () => {
        // A busy machine can keep the harness from answering one request in time: ask again until the deadline.
        try {
          seen = await pageText('running-extensions', '.runtime-extensions-editor .monaco-list-row', 10000);
        } catch (e) {
          harness = `; last harness error: ${(e as Error).message}`;
          return undefined;
        }
        return seen.find((r) => r.split('\n').some((l) => [name, EXTENSION_ID].includes(l.trim())) && /Activation: \d+ms/.test(r));
      }, 45000, 500).catch((e: Error) => {
        throw new Error(`${e.message}; rows seen: ${seen.map((r) => r.split('\n')[0]).join(', ')}${harness}`);
      });
      const ms = Number(/Activation: (\d+)ms/.exec(row)![1]);
      // A figure for the benchmark notes, shown in the test title (target < 100 ms); not a timed test.
      this.test!.title += `: ${ms} ms (code loading + activate call)`;
      assert.ok(Number.isFinite(ms) && ms >= 0, `unreadable activation time in "${row}"`);
      await screenshot('running-extensions');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });

  test('sockscope.attach and every contributed command are registered', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(registered.has('sockscope.attach'), 'sockscope.attach is not registered');
    const contributed = ((ext.packageJSON as { contributes?: { commands?: { command: string }[] } })
      .contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.includes('sockscope.attach'), 'package.json does not contribute sockscope.attach');
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('outside a debug session, "Attach to Process" in the Command Palette can only mean sockscope.attach', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const contributes = (ext.packageJSON as { contributes: {
      commands: { command: string; title: string }[];
      menus: { commandPalette?: { command: string; when?: string }[] };
    } }).contributes;
    const hidden = new Map((contributes.menus.commandPalette ?? []).map((m) => [m.command, m.when ?? '']));
    // A when-clause that needs a debug session (or is false) keeps a command out of the idle palette.
    const inIdlePalette = contributes.commands.filter((c) => {
      const when = hidden.get(c.command);
      return when === undefined || !(when === 'false' || /(^|&& *)inDebugMode( *&&|$)/.test(when));
    });
    const matches = inIdlePalette.filter((c) => /attach/i.test(c.title) && /process/i.test(c.title)).map((c) => c.command);
    assert.deepEqual(matches, ['sockscope.attach']);
  });

  test('the harness takes a screenshot of the workbench on request', async function () {
    if (!screenshotsAvailable()) this.skip(); // @vscode/test-electron has no page to photograph
    const png = await screenshot('activation-workbench');
    const header = fs.readFileSync(png).subarray(0, 8);
    assert.deepEqual([...header], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not a PNG file');
  });
});
