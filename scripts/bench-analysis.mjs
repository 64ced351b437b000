#!/usr/bin/env node
// Benchmark of the leak analyzer (`npm run bench:analysis`, after the build; uses dist/cli.js):
//  (a) recall and precision on each language corpus (test/fixtures/<lang>/, ground truth in
//      <name>.expected.json; a true positive is the same file, line and variable), for SockScope
//      and for the language's peer tool when one is installed (C/C++: cppcheck);
//  (b) throughput in lines/second on a generated tree (>= 100k lines by default) built from the
//      corpus with renamed identifiers, SockScope vs the peer, both measured in this run.
//  (c) throughput on real C code: SQLite's sources (the amalgamation shipped in the npm package
//      better-sqlite3, split back into its original files (172 parts) at its "Begin file" markers), the first
//      --peer-lines lines of it for both tools, and the whole of it for SockScope. --no-real skips it.
//  (d) editor latency in the analysis worker (scripts/bench-editor-latency.mjs): cold first-file
//      diagnostics and p50/p95 re-analysis after one-character edits. --no-editor skips it,
//      --editor-only runs only it.
// Options: --lines N (generated size, default 100000), --peer-lines N (cap on the lines given to the
// peer tool, default 100000), --lang c,python,... (default: every language with a corpus), --keep
// (keep the generated tree), --cli FILE (another build of the CLI, e.g. an unbundled out/src/cli/cli.js).
// Languages are rows of LANGUAGES below: adding one is a corpus folder plus an entry there.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { editorLatency } from './bench-editor-latency.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
let cli = path.join(root, 'dist', 'cli.js');

// ---------------------------------------------------------------------------------------------
// Peers: run(files, cwd) -> { findings: [{ file (relative to cwd), line, variable }] }

const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Runs a tool without a shell and measures it: wall seconds, and CPU seconds (user + system, children
 * included) when /usr/bin/time exists. Resolves whatever the exit code (linters exit non-zero on findings).
 * stdout goes to a file, not a pipe: a CLI that calls process.exit() can cut a large piped output short.
 */
async function run(file, args, { cwd } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-bench-run-'));
  const outFile = path.join(tmp, 'stdout');
  const timeFile = path.join(tmp, 'time');
  const fd = fs.openSync(outFile, 'w');
  try {
    const [cmd, argv] = TIME ? [TIME, ['-f', '%U %S', '-o', timeFile, file, ...args]] : [file, args];
    const start = process.hrtime.bigint();
    const { code, stderr } = await new Promise((resolve, reject) => {
      const child = spawn(cmd, argv, { cwd, stdio: ['ignore', fd, 'pipe'] });
      const chunks = [];
      child.stderr.on('data', (d) => chunks.push(d));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stderr: Buffer.concat(chunks).toString('utf8') }));
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    const times = TIME && fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number) : [];
    const cpu = times.length === 2 && times.every(Number.isFinite) ? times[0] + times[1] : NaN;
    if (code === 127 && TIME) throw Object.assign(new Error(`${file} not found`), { code: 'ENOENT' });
    return { stdout: fs.readFileSync(outFile, 'utf8'), stderr, code, wall, cpu };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function unescapeXml(s) {
  return s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const cppcheck = {
  name: 'cppcheck',
  label: 'cppcheck (-j 2)',
  async available() {
    try {
      const r = await run('cppcheck', ['--version']);
      return r.code === 0 ? r.stdout.trim() : undefined;
    } catch {
      return undefined;
    }
  },
  async run(files, cwd) {
    // The file list goes through a file (a 100k-line tree has thousands of files).
    const list = path.join(os.tmpdir(), `sockscope-cppcheck-${process.pid}.txt`);
    fs.writeFileSync(list, files.join('\n'));
    try {
      const r = await run('cppcheck', ['--library=posix', '--enable=all', '--xml', '-j', '2', '--quiet', `--file-list=${list}`], { cwd });
      return { findings: parseCppcheckXml(r.stderr), wall: r.wall, cpu: r.cpu };
    } finally {
      fs.rmSync(list, { force: true });
    }
  },
};

/** Leak errors from cppcheck's XML v2 report: `<error id="resourceLeak" msg="Resource leak: fd"><location file= line=/>`. */
function parseCppcheckXml(xml) {
  const findings = [];
  for (const m of xml.matchAll(/<error\s([^>]*)>([\s\S]*?)<\/error>/g)) {
    const attrs = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], unescapeXml(a[2])]));
    if (!/leak/i.test(attrs.id ?? '')) continue;
    const loc = /<location\s[^>]*file="([^"]*)"[^>]*line="(\d+)"/.exec(m[2]);
    if (!loc) continue;
    const variable = /:\s*(\S+)\s*$/.exec(attrs.msg ?? '')?.[1] ?? '';
    findings.push({ file: unescapeXml(loc[1]), line: Number(loc[2]), variable });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Languages. `rename`: tree-sitter query whose @name captures are the names declared in a file; the
// generator renames every `identifierType` node with one of those names (outside `skipInside` nodes).

const LANGUAGES = [
  {
    id: 'c',
    corpus: 'test/fixtures/c',
    extensions: ['.c', '.cpp'],
    grammar: { '.c': 'c', '.cpp': 'cpp' },
    peer: cppcheck,
    identifierType: 'identifier',
    skipInside: ['preproc_def', 'preproc_function_def'],
    rename: `
      (function_definition declarator: (function_declarator declarator: (identifier) @name))
      (function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))
      (init_declarator declarator: (identifier) @name)
      (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
      (init_declarator declarator: (array_declarator declarator: (identifier) @name))
      (declaration declarator: (identifier) @name)
      (declaration declarator: (pointer_declarator declarator: (identifier) @name))
      (declaration declarator: (array_declarator declarator: (identifier) @name))
      (parameter_declaration declarator: (identifier) @name)
      (parameter_declaration declarator: (pointer_declarator declarator: (identifier) @name))`,
  },
  {
    // No Go leak linter ships with the Go toolchain (go vet has none), so there is no peer.
    id: 'go',
    corpus: 'test/fixtures/go',
    extensions: ['.go'],
    grammar: { '.go': 'go' },
    peer: null,
    identifierType: 'identifier',
    skipInside: ['import_declaration'],
    rename: `
      (function_declaration name: (identifier) @name)
      ((short_var_declaration left: (expression_list (identifier) @name)) (#not-eq? @name "_"))
      (parameter_declaration name: (identifier) @name)`,
  },
  {
    // No JDK tool reports socket leaks (javac -Xlint:try only flags unused resources), so there is no peer.
    // Only variables and parameters are renamed: a renamed method could collide with a JDK method name.
    id: 'java',
    corpus: 'test/fixtures/java',
    extensions: ['.java'],
    grammar: { '.java': 'java' },
    peer: null,
    identifierType: 'identifier',
    skipInside: ['import_declaration'],
    rename: `
      (variable_declarator name: (identifier) @name)
      (formal_parameter name: (identifier) @name)
      (catch_formal_parameter name: (identifier) @name)`,
  },
  {
    // No Python leak checker is installed here (pylint's consider-using-with would be the peer), so none.
    // Only variables and parameters are renamed: function names could collide with `close`/`accept`.
    id: 'python',
    corpus: 'test/fixtures/python',
    extensions: ['.py'],
    grammar: { '.py': 'python' },
    peer: null,
    identifierType: 'identifier',
    skipInside: ['import_statement', 'import_from_statement'],
    rename: `
      (assignment left: (identifier) @name)
      (assignment left: (pattern_list (identifier) @name))
      (parameters (identifier) @name)`,
  },
  // A new language adds an entry here once test/fixtures/<lang>/ exists (peer: a linter, or null).
];

// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { lines: 100_000, peerLines: 100_000, langs: undefined, keep: false, real: true, editor: true, editorOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--lines') opts.lines = Number(argv[++i]);
    else if (a === '--peer-lines') opts.peerLines = Number(argv[++i]);
    else if (a === '--lang') opts.langs = argv[++i].split(',');
    else if (a === '--keep') opts.keep = true;
    else if (a === '--no-real') opts.real = false;
    else if (a === '--no-editor') opts.editor = false;
    else if (a === '--editor-only') opts.editorOnly = true;
    else if (a === '--cli') cli = path.resolve(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

function corpusFiles(lang) {
  const dir = path.join(root, lang.corpus);
  return fs.readdirSync(dir).filter((n) => lang.extensions.includes(path.extname(n))).sort().map((name) => {
    const expected = JSON.parse(fs.readFileSync(path.join(dir, name.slice(0, -path.extname(name).length) + '.expected.json'), 'utf8'));
    return { name, file: path.join(dir, name), text: fs.readFileSync(path.join(dir, name), 'utf8'), expected };
  });
}

const lineCount = (text) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
const key = (f) => `${f.file}\u0000${f.line}\u0000${f.variable}`;

/** SockScope via the built CLI: JSON findings with file names relative to `cwd`. */
async function sockscope(paths, cwd) {
  const r = await run(process.execPath, [cli, 'check', '--format', 'json', ...paths], { cwd });
  if (r.code === 2 || !r.stdout.trim().startsWith('[')) throw new Error(`sockscope check failed (exit ${r.code}): ${r.stderr.slice(0, 2000)}`);
  return { findings: JSON.parse(r.stdout).map((f) => ({ file: f.file, line: f.line, variable: f.variable })), wall: r.wall, cpu: r.cpu };
}

function score(cases, findings) {
  const truth = new Set(cases.flatMap((c) => c.expected.map((e) => key({ file: c.name, line: e.line, variable: e.variable }))));
  const got = new Set(findings.map((f) => key({ ...f, file: path.basename(f.file) })));
  const tp = [...got].filter((k) => truth.has(k)).length;
  const fp = got.size - tp;
  const fn = truth.size - tp;
  const missed = [...truth].filter((k) => !got.has(k)).map((k) => k.replaceAll('\u0000', ':'));
  const extra = [...got].filter((k) => !truth.has(k)).map((k) => k.replaceAll('\u0000', ':'));
  return { tp, fp, fn, recall: tp / (tp + fn || 1), precision: tp / (tp + fp || 1), missed, extra };
}

// ---------------------------------------------------------------------------------------------
// Real C code from the npm registry: SQLite, as shipped (amalgamated) in better-sqlite3.

const REAL_PACKAGE = 'better-sqlite3@13.2.0';
const REAL_FILE = 'package/deps/sqlite3/sqlite3.c';

/** Fetches the package once into .vscode-test/bench-cache and writes SQLite's original files into `dir`. */
async function sqliteTree(dir) {
  const cache = path.join(root, '.vscode-test', 'bench-cache');
  fs.mkdirSync(cache, { recursive: true });
  const amalgamation = path.join(cache, 'sqlite3.c');
  if (!fs.existsSync(amalgamation)) {
    const packed = await run('npm', ['pack', REAL_PACKAGE, '--silent', '--pack-destination', cache], { cwd: cache });
    const tgz = packed.stdout.trim().split('\n').pop();
    if (packed.code !== 0 || !tgz) throw new Error(`npm pack ${REAL_PACKAGE} failed: ${packed.stderr.slice(0, 500)}`);
    const untar = await run('tar', ['xzf', path.join(cache, tgz), '-C', cache, REAL_FILE]);
    if (untar.code !== 0) throw new Error(`cannot extract ${REAL_FILE}: ${untar.stderr}`);
    fs.renameSync(path.join(cache, REAL_FILE), amalgamation);
    fs.rmSync(path.join(cache, 'package'), { recursive: true, force: true });
    fs.rmSync(path.join(cache, tgz), { force: true });
  }
  // The amalgamation concatenates SQLite's files between "/****** Begin file NAME ******/" and
  // "/****** End of NAME ******/" lines; nested files (headers included in place) are split out too.
  // A file's lines before a nested file are written out first (as their own part), so that no line of
  // the amalgamation is lost: until 2026-12-07 they were dropped, 18,641 lines (the prologue that
  // defines SQLITE_PRIVATE and SQLITE_API, the start of sqliteInt.h, ...), which left both tools a
  // tree with undefined macros.
  const files = [];
  const stack = [];
  let current = { name: 'sqlite3-prologue.c', lines: [] };
  const flush = (part) => {
    if (part.lines.length === 0) return;
    const rel = `${String(files.length).padStart(3, '0')}-${part.name}`;
    fs.writeFileSync(path.join(dir, rel), part.lines.join('\n') + '\n');
    files.push({ rel, lines: part.lines.length });
  };
  for (const line of fs.readFileSync(amalgamation, 'utf8').split('\n')) {
    const begin = /^\/\*{5,} Begin file (\S+) \*{5,}\/$/.exec(line);
    const end = /^\/\*{5,} End of (\S+) \*{5,}\/$/.exec(line);
    if (begin) {
      flush(current);
      stack.push({ name: current.name, lines: [] });
      current = { name: begin[1], lines: [] };
    } else if (end && stack.length) {
      flush(current);
      current = stack.pop();
      current = { name: `${current.name.replace(/(-cont\d+)?\.([ch])$/, '')}-cont${files.length}.${current.name.endsWith('.h') ? 'h' : 'c'}`, lines: [] };
    } else current.lines.push(line);
  }
  flush(current);
  return files;
}

/** Renames the declared identifiers of `text` with `suffix`, via tree-sitter (edits applied back to front). */
function renameIdentifiers(parser, query, lang, text, suffix) {
  const tree = parser.parse(text);
  try {
    const names = new Set(query.captures(tree.rootNode).map((c) => c.node.text));
    names.delete('main');
    const edits = [];
    const cursor = tree.walk();
    const visit = () => {
      const node = cursor.currentNode;
      if (lang.skipInside.includes(node.type)) return;
      if (node.type === lang.identifierType && names.has(node.text)) edits.push([node.startIndex, node.endIndex]);
      if (cursor.gotoFirstChild()) {
        do visit(); while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
    };
    visit();
    cursor.delete();
    let out = text;
    for (const [s, e] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, s) + out.slice(s, e) + suffix + out.slice(e);
    return out;
  } finally {
    tree.delete();
  }
}

/** Writes copies of the corpus with renamed identifiers until `targetLines` lines; returns the files and expected finding count. */
async function generateTree(lang, cases, dir, targetLines) {
  const { Parser, Language, Query } = await import('web-tree-sitter');
  await Parser.init({ locateFile: (f) => path.join(root, 'dist', 'wasm', f) });
  const tools = new Map();
  for (const g of new Set(Object.values(lang.grammar))) {
    const language = await Language.load(path.join(root, 'dist', 'wasm', `tree-sitter-${g}.wasm`));
    const parser = new Parser();
    parser.setLanguage(language);
    tools.set(g, { parser, query: new Query(language, lang.rename) });
  }
  const files = [];
  let lines = 0;
  let expected = 0;
  for (let copy = 0; lines < targetLines; copy++) {
    const sub = path.join(dir, `batch${String(Math.floor(copy / 10)).padStart(3, '0')}`);
    fs.mkdirSync(sub, { recursive: true });
    for (const c of cases) {
      const { parser, query } = tools.get(lang.grammar[path.extname(c.name)]);
      const text = renameIdentifiers(parser, query, lang, c.text, `_g${copy}`);
      const rel = path.relative(dir, path.join(sub, `${copy}_${c.name}`));
      fs.writeFileSync(path.join(dir, rel), text);
      files.push({ rel, lines: lineCount(text) });
      lines += lineCount(text);
      expected += c.expected.length;
      if (lines >= targetLines) break;
    }
  }
  for (const t of tools.values()) {
    t.query.delete();
    t.parser.delete();
  }
  return { files, lines, expected };
}

const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  return [line(headers), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.editorOnly) {
    console.log((await editorLatency(root, { fmt, table })).join('\n'));
    return;
  }
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm run bench:analysis does).`);
  const langs = LANGUAGES.filter((l) => (opts.langs ? opts.langs.includes(l.id) : fs.existsSync(path.join(root, l.corpus))));
  const accuracy = [];
  const speed = [];
  const details = [];
  const ratios = [];
  for (const lang of langs) {
    const cases = corpusFiles(lang);
    const corpusDir = path.join(root, lang.corpus);
    const names = cases.map((c) => c.name);
    const truthCount = cases.reduce((n, c) => n + c.expected.length, 0);
    const ours = score(cases, (await sockscope(names, corpusDir)).findings);
    accuracy.push([lang.id, 'SockScope', cases.length, truthCount, ours.tp, ours.fp, ours.fn, fmt(ours.recall), fmt(ours.precision)]);
    details.push(`${lang.id} SockScope missed: ${ours.missed.join(', ') || 'none'}; extra: ${ours.extra.join(', ') || 'none'}`);
    const peerVersion = lang.peer ? await lang.peer.available() : undefined;
    if (lang.peer && !peerVersion) details.push(`${lang.id}: ${lang.peer.name} is not installed, no peer figures`);
    if (peerVersion) {
      const theirs = score(cases, (await lang.peer.run(names, corpusDir)).findings);
      accuracy.push([lang.id, peerVersion, cases.length, truthCount, theirs.tp, theirs.fp, theirs.fn, fmt(theirs.recall), fmt(theirs.precision)]);
      details.push(`${lang.id} ${lang.peer.name} missed: ${theirs.missed.length}; extra: ${theirs.extra.join(', ') || 'none'}`);
    }

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sockscope-bench-${lang.id}-`));
    try {
      const gen = await generateTree(lang, cases, dir, opts.lines);
      const ours = await sockscope(['.'], dir);
      const row = (tool, files, lines, r) => [lang.id, tool, files, lines, fmt(r.wall), Math.round(lines / r.wall), fmt(r.cpu), Math.round(lines / r.cpu)];
      speed.push(row('SockScope (1 process)', gen.files.length, gen.lines, ours));
      details.push(`${lang.id} generated tree: ${gen.files.length} files, ${gen.lines} lines; SockScope found ${ours.findings.length} (the corpus copies hold ${gen.expected})`);
      if (peerVersion) {
        // The peer may be slow: give it the first files up to --peer-lines lines.
        const subset = [];
        let peerLines = 0;
        for (const f of gen.files) {
          if (peerLines >= opts.peerLines) break;
          subset.push(f.rel);
          peerLines += f.lines;
        }
        const theirs = await lang.peer.run(subset, dir);
        speed.push(row(lang.peer.label, subset.length, peerLines, theirs));
        const ratio = (a, b) => `${fmt((gen.lines / a) / (peerLines / b), 1)}x`;
        ratios.push(`${lang.id}: SockScope vs ${lang.peer.name}: ${ratio(ours.wall, theirs.wall)} the lines/s (wall), ${ratio(ours.cpu, theirs.cpu)} the lines per CPU second`);
      }
    } finally {
      if (opts.keep) console.log(`generated tree kept in ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  if (opts.real && (!opts.langs || opts.langs.includes('c'))) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-bench-sqlite-'));
    try {
      const files = await sqliteTree(dir);
      const all = files.reduce((n, f) => n + f.lines, 0);
      const subset = [];
      let subsetLines = 0;
      for (const f of files) {
        if (subsetLines >= opts.peerLines) break;
        subset.push(f.rel);
        subsetLines += f.lines;
      }
      const row = (tool, n, lines, r) => [`c (SQLite, ${REAL_PACKAGE})`, tool, n, lines, fmt(r.wall), Math.round(lines / r.wall), fmt(r.cpu), Math.round(lines / r.cpu)];
      const oursAll = await sockscope(['.'], dir);
      speed.push(row('SockScope (1 process), all files', files.length, all, oursAll));
      const ours = await sockscope(subset, dir);
      speed.push(row('SockScope (1 process)', subset.length, subsetLines, ours));
      details.push(`c SQLite: ${files.length} files, ${all} lines; SockScope reported ${oursAll.findings.length} findings (${ours.findings.length} in the first ${subsetLines} lines): ${oursAll.findings.slice(0, 10).map((f) => `${f.file}:${f.line}:${f.variable}`).join(', ')}`);
      if (await cppcheck.available()) {
        const theirs = await cppcheck.run(subset, dir);
        speed.push(row(cppcheck.label, subset.length, subsetLines, theirs));
        details.push(`c SQLite: cppcheck reported ${theirs.findings.length} leak findings in the first ${subsetLines} lines`);
        ratios.push(`c (SQLite): SockScope vs cppcheck: ${fmt(theirs.wall / ours.wall, 1)}x the lines/s (wall), ${fmt(theirs.cpu / ours.cpu, 1)}x the lines per CPU second`);
      }
    } catch (e) {
      details.push(`c SQLite tree skipped: ${e instanceof Error ? e.message : e}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`\nLeak detection on the corpora (TP = same file, line and variable) — ${os.cpus().length} cores, node ${process.version}\n`);
  console.log(table(['lang', 'tool', 'files', 'expected', 'TP', 'FP', 'FN', 'recall', 'precision'], accuracy));
  console.log('\nThroughput on the generated trees and on SQLite\n');
  console.log(table(['lang', 'tool', 'files', 'lines', 'wall s', 'lines/s', 'CPU s', 'lines/CPU s'], speed));
  console.log('\n' + ratios.join('\n'));
  console.log('\n' + details.join('\n'));
  if (opts.editor) console.log('\n' + (await editorLatency(root, { fmt, table })).join('\n'));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
