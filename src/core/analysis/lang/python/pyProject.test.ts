/**
 * Functions of the project's other modules (issue 13, ../../pythonProject.ts and ./projectModules.ts): a
 * module-level function of a module the file imports from its own repository, that returns a new socket
 * (not a file, not a wrap of what it is given) on every `return`, acquires one in its callers, whether it is imported as a module (`from pkg import
 * netutil`, `import pkg.netutil`), by name (`from .netutil import bind_unix_socket`) or relatively (`from .
 * import netutil`). Functions that keep what they return, modules outside the repository and names an
 * import does not bind stay unknown. A package re-exporting such a function at its top offers it too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { analyzeSource } from '../../index';
import { PythonProject } from '../../pythonProject';
import { tempRoot, writeLines } from '../../testing/projectTree';


/** `src/pkg` (a package with `netutil.py`) and `src/pkg/sub/client.py`, the file checked. */
function project(): string {
  const root = tempRoot('pyproject');
  writeLines(root, 'src/pkg/__init__.py', []);
  writeLines(root, 'src/pkg/sub/__init__.py', []);
  writeLines(root, 'src/pkg/netutil.py', [
    'import socket',
    '_kept = []',
    '',
    'def bind_unix_socket(path):',
    '    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)',
    '    sock.bind(path)',
    '    sock.listen(5)',
    '    return sock',
    '',
    'def kept_socket(path):',
    '    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)',
    '    _kept.append(sock)',
    '    return sock',
    '',
    'def address():',
    '    return "/tmp/s"',
    '',
    'def log_file(path):',
    '    return open(path, "a")',
    '',
    'def secure(sock, context):',
    '    return context.wrap_socket(sock, server_side=True)',
  ]);
  return root;
}

/** A caller that leaks the socket when `send` raises. */
function caller(imports: string[], call: string): string[] {
  return [...imports, '', 'def serve(path, data):', `    s = ${call}(path)`, '    s.send(data)', '    s.close()'];
}

async function check(pythonProject: PythonProject, file: string): Promise<string[]> {
  const text = fs.readFileSync(file, 'utf8');
  const r = await analyzeSource(text, 'python', {}, { python: pythonProject, file });
  return r.findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`);
}

test('python project: a function of another module of the package that returns a new socket acquires it in the caller', async () => {
  const root = project();
  const p = new PythonProject();
  const file = (lines: string[]) => writeLines(root, 'src/pkg/sub/client.py', lines);
  try {
    // Every way of naming the module: absolute (from the folder above the topmost package), by name, relative.
    for (const [imports, call] of [
      [['from pkg import netutil'], 'netutil.bind_unix_socket'],
      [['import pkg.netutil'], 'pkg.netutil.bind_unix_socket'],
      [['import pkg.netutil as nu'], 'nu.bind_unix_socket'],
      [['from pkg.netutil import bind_unix_socket'], 'bind_unix_socket'],
      [['from ..netutil import bind_unix_socket as bind'], 'bind'],
      [['from .. import netutil'], 'netutil.bind_unix_socket'],
    ] as const) {
      // The file is rewritten between checks: a new size keeps its cached facts from being reused.
      assert.deepEqual(await check(p, file(caller([...imports], call))), ['5 serve s warning'], `${imports.join('; ')}: ${call}`);
    }
    const text = caller(['from pkg import netutil'], 'netutil.bind_unix_socket');
    // Without the project's modules the call is unknown.
    assert.deepEqual((await analyzeSource(text.join('\n') + '\n', 'python', {})).findings, []);
    // A function that also keeps the socket (in a module list), and one that returns no resource.
    assert.deepEqual(await check(p, file(caller(['from pkg import netutil'], 'netutil.kept_socket'))), []);
    assert.deepEqual(await check(p, file(caller(['from pkg import netutil'], 'netutil.address'))), []);
    // Only sockets, and not a wrap: `secure(sock)` may wrap a socket its caller does not own.
    assert.deepEqual(await check(p, file(caller(['from pkg import netutil'], 'netutil.log_file'))), []);
    assert.deepEqual(await check(p, file(caller(['from pkg import netutil'], 'netutil.secure'))), []);
    // One dot is the file's own package (pkg.sub), which has no netutil.
    assert.deepEqual(await check(p, file(caller(['from .netutil import bind_unix_socket'], 'bind_unix_socket'))), []);
    // A name the imports do not bind (a local `netutil`) is not the module.
    assert.deepEqual(await check(p, file(['from pkg import other', '', 'def serve(netutil, path, data):', '    s = netutil.bind_unix_socket(path)', '    s.send(data)', '    s.close()'])), []);
    // Absolute imports start above the topmost package, not at the file's folder.
    writeLines(root, 'src/pkg/sub/netutil.py', ['import socket', '', 'def bind_unix_socket(path):', '    return socket.socket(socket.AF_UNIX)']);
    assert.deepEqual(await check(p, file(caller(['import netutil'], 'netutil.bind_unix_socket'))), []);
    // A package that re-exports the function at its top (`from .netutil import … as listen_unix`) offers it too.
    writeLines(root, 'src/pkg/__init__.py', ['from .netutil import bind_unix_socket as listen_unix', 'from .netutil import kept_socket']);
    assert.deepEqual(await check(p, file(caller(['import pkg'], 'pkg.listen_unix'))), ['5 serve s warning']);
    assert.deepEqual(await check(p, file(caller(['import pkg'], 'pkg.kept_socket'))), []);
    // Not when the package rebinds the name, nor when the import is not at its top (a fallback in `try`).
    writeLines(root, 'src/pkg/__init__.py', ['from .netutil import bind_unix_socket as listen_unix', 'listen_unix = traced(listen_unix)']);
    assert.deepEqual(await check(p, file(caller(['import pkg'], 'pkg.listen_unix'))), []);
    writeLines(root, 'src/pkg/__init__.py', ['try:', '    from .netutil import bind_unix_socket as listen_unix', 'except ImportError:', '    pass']);
    assert.deepEqual(await check(p, file(caller(['import pkg'], 'pkg.listen_unix'))), []);
    // A script outside any package imports from its own folder.
    writeLines(root, 'tools/helper.py', ['import socket', '', 'def connect_to(path):', '    return socket.socket(socket.AF_UNIX)']);
    const script = writeLines(root, 'tools/run.py', caller(['import helper'], 'helper.connect_to'));
    assert.deepEqual(await check(p, script), ['5 serve s warning']);
    // Once the module no longer returns a new socket (saved again), the caller's call is unknown again.
    writeLines(root, 'tools/helper.py', ['import socket', '_all = []', '', 'def connect_to(path):', '    s = socket.socket(socket.AF_UNIX)', '    _all.append(s)', '    return s']);
    assert.deepEqual(await check(p, script), []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('python project: the file checked is read from the text analysed (an unsaved buffer), not as saved', async () => {
  const root = project();
  try {
    // As saved, the file imports nothing; the buffer imports the project's module and leaks its socket.
    const file = writeLines(root, 'src/pkg/sub/client.py', ['def serve(path, data):', '    pass']);
    const buffer = caller(['from pkg import netutil'], 'netutil.bind_unix_socket').join('\n') + '\n';
    const r = await analyzeSource(buffer, 'python', {}, { python: new PythonProject(), file });
    assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable}`), ['5 serve s']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
