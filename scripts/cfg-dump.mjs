#!/usr/bin/env node
// Dumps a canonical text form of the control-flow graph of every function of the analyser's test
// fixtures (test/fixtures/{c,go,java,python,fixsafety}) and of the files of the real-world leak-fix
// records (bench/realworld/leak-fixes.jsonl: the parent and the fixed version, read from the mirrors
// in /work/.mirror/<owner>+<name>/repo or --mirror DIR), one graph per function. A refactoring of the
// CFG builders compares two dumps: `node scripts/cfg-dump.mjs > before.txt`, change, rebuild,
// `node scripts/cfg-dump.mjs > after.txt`, `diff before.txt after.txt` (with --diff FILE the script
// compares itself and prints how many graphs differ). Needs `node scripts/build.mjs --tests` (reads out/).
// A development tool: it is not part of dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const outDir = path.resolve(root, opt('--out', 'out'));
const mirror = opt('--mirror', '/work/.mirror');
const diffWith = opt('--diff', null);
// --sample N: also N source files (evenly spaced by path) of each record's repository at that record's parent commit.
const sample = Number(opt('--sample', '0'));

const { loadLanguage } = require(path.join(outDir, 'src/core/analysis/parser.js'));
const { Parser } = require('web-tree-sitter');
const cCfg = require(path.join(outDir, 'src/core/analysis/lang/c/cfg.js'));
const goCfg = require(path.join(outDir, 'src/core/analysis/lang/go/cfg.js'));
const javaCfg = require(path.join(outDir, 'src/core/analysis/lang/java/cfg.js'));
const pyCfg = require(path.join(outDir, 'src/core/analysis/lang/python/cfg.js'));
const { uncheckedThrown } = require(path.join(outDir, 'src/core/analysis/lang/java/names.js'));

const GRAMMAR = { '.c': 'c', '.h': 'c', '.cc': 'cpp', '.cpp': 'cpp', '.cxx': 'cpp', '.hpp': 'cpp', '.go': 'go', '.java': 'java', '.py': 'python' };
const FUNCTIONS = {
  c: new Set(['function_definition']),
  cpp: new Set(['function_definition', 'lambda_expression']),
  go: new Set(['function_declaration', 'method_declaration', 'func_literal']),
  java: new Set(['method_declaration', 'constructor_declaration', 'lambda_expression']),
  python: new Set(['function_definition']),
};

/** Deterministic stand-ins for the lowering's callbacks: each exercises both outcomes of the builder's hooks. */
const goNoReturn = (stmt) => /^(panic|os\.Exit|log\.Fatal\w*|log\.Panic\w*|t\.Fatal\w*)\(/.test(stmt.text);
function pyRaiser(roots) {
  const stack = [...roots].reverse();
  while (stack.length) {
    const n = stack.pop();
    if (n.type === 'lambda' || n.type === 'function_definition') continue;
    if (n.type === 'call' || n.type === 'await') return n;
    for (let i = n.namedChildCount - 1; i >= 0; i--) stack.push(n.namedChild(i));
  }
  return null;
}
function javaUnchecked(call, typeOf) {
  if (call.type !== 'method_invocation') return [];
  const name = call.childForFieldName('name')?.text ?? '';
  const object = call.childForFieldName('object');
  const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a && !a.type.endsWith('comment')) ?? [];
  if (!object || object.type === 'this') return /^(check|validate)/.test(name) ? ['IllegalArgumentException'] : [];
  const argType = (a) => (a.type === 'string_literal' ? 'String' : a.type === 'identifier' ? typeOf(a.text) : undefined);
  const receiverType = object.type === 'identifier' ? typeOf(object.text) : undefined;
  return uncheckedThrown(name, object.text, receiverType, args.length, args.length === 1 && argType(args[0]) === 'String');
}
const javaFieldType = (name) => (/sock|conn/i.test(name) ? 'Socket' : undefined);

function buildAll(grammar, fn, tree) {
  if (grammar === 'c' || grammar === 'cpp') return [cCfg.buildCfg(fn, new Set(['AUTO_CLOSE']))];
  if (grammar === 'go') return [goCfg.buildCfg(fn, goNoReturn)];
  if (grammar === 'java') {
    return [javaCfg.buildCfg(fn, []), javaCfg.buildCfg(fn, ['captured'], javaUnchecked, javaFieldType)];
  }
  const body = fn === tree.rootNode ? fn : fn.childForFieldName('body');
  try {
    return [new pyCfg.CfgBuilder(pyRaiser).build(body)];
  } catch (e) {
    if (e instanceof pyCfg.CfgTooLarge) return ['too large'];
    throw e;
  }
}

/** Canonical text of a value: syntax nodes as `type@start-end`, node ids (maps keyed by them, sets of them) resolved. */
function canon(v, ids) {
  if (v === null || v === undefined || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (typeof v.startIndex === 'number' && typeof v.type === 'string' && v.tree) return `${v.type}@${v.startIndex}-${v.endIndex}`;
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${ids.get(k) ?? JSON.stringify(k)}:${canon(x, ids)}`).join(',')}}`;
  if (v instanceof Set) return `Set{${[...v].map((x) => (typeof x === 'number' && ids.has(x) ? ids.get(x) : canon(x, ids))).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map((x) => canon(x, ids)).join(',')}]`;
  return `{${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${k}:${canon(v[k], ids)}`).join(',')}}`;
}

function dumpCfg(cfg, ids) {
  if (typeof cfg === 'string') return cfg;
  const lines = [];
  const { nodes, ...rest } = cfg;
  for (const k of Object.keys(rest).sort()) if (k !== 'fn') lines.push(`  ${k} ${k === 'gated' ? canon(new Set([...rest[k]].map((x) => ids.get(x) ?? x)), ids) : canon(rest[k], ids)}`);
  nodes.forEach((n, i) => lines.push(`  ${i} ${canon(n, ids)}`));
  return lines.join('\n');
}

function* sources(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (GRAMMAR[path.extname(e.name)]) yield p;
  }
}

const inputs = [];
for (const d of ['c', 'go', 'java', 'python', 'fixsafety']) {
  for (const f of sources(path.join(root, 'test/fixtures', d))) inputs.push({ name: path.relative(root, f), text: () => readFileSync(f, 'utf8') });
}
// --dir DIR: also every source file below DIR.
const extraDir = opt('--dir', null);
if (extraDir) for (const f of sources(path.resolve(extraDir))) inputs.push({ name: f, text: () => readFileSync(f, 'utf8') });
const records = readFileSync(path.join(root, 'bench/realworld/leak-fixes.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const seen = new Set();
for (const r of records) {
  const git = path.join(mirror, r.repo.replace('/', '+'), 'repo');
  if (!existsSync(git) || !statSync(git).isDirectory()) continue;
  for (const commit of [r.parent, r.fix]) {
    const key = `${r.repo}@${commit}:${r.path}`;
    if (!commit || seen.has(key)) continue;
    seen.add(key);
    inputs.push({ name: key, text: () => {
      try {
        return execFileSync('git', ['-C', git, 'show', `${commit}:${r.path}`], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return null;
      }
    } });
  }
}

if (sample > 0) {
  const done = new Set();
  for (const r of records) {
    const git = path.join(mirror, r.repo.replace('/', '+'), 'repo');
    if (done.has(r.repo) || !existsSync(git)) continue;
    done.add(r.repo);
    let paths = [];
    try {
      paths = execFileSync('git', ['-C', git, 'ls-tree', '-r', '--name-only', r.parent], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n');
    } catch {
      continue;
    }
    const all = paths.filter((f) => GRAMMAR[path.extname(f)]).sort();
    const picked = all.length <= sample ? all : [...new Set(Array.from({ length: sample }, (_, i) => all[Math.floor((i * all.length) / sample)]))];
    for (const p of picked) {
      const key = `${r.repo}@${r.parent}:${p}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inputs.push({ name: key, text: () => {
        try {
          return execFileSync('git', ['-C', git, 'show', `${r.parent}:${p}`], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
        } catch {
          return null;
        }
      } });
    }
  }
}

const parsers = new Map();
async function parserFor(grammar) {
  let p = parsers.get(grammar);
  if (!p) {
    const lang = await loadLanguage(grammar);
    p = new Parser();
    p.setLanguage(lang);
    parsers.set(grammar, p);
  }
  return p;
}

const out = [];
let graphs = 0;
let files = 0;
for (const input of inputs) {
  const grammar = GRAMMAR[path.extname(input.name)];
  const text = input.text();
  if (text === null) continue;
  files++;
  const tree = (await parserFor(grammar)).parse(text);
  const ids = new Map();
  const fns = grammar === 'python' ? [tree.rootNode] : [];
  const stack = [tree.rootNode];
  while (stack.length) {
    const n = stack.pop();
    ids.set(n.id, `${n.type}@${n.startIndex}-${n.endIndex}`);
    if (FUNCTIONS[grammar].has(n.type)) fns.push(n);
    for (let i = n.childCount - 1; i >= 0; i--) stack.push(n.child(i));
  }
  fns.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  for (const fn of fns) {
    buildAll(grammar, fn, tree).forEach((cfg, k) => {
      graphs++;
      out.push(`=== ${input.name} ${fn.type}@${fn.startIndex}-${fn.endIndex} #${k}\n${dumpCfg(cfg, ids)}`);
    });
  }
  tree.delete();
}

if (diffWith) {
  const before = new Map(readFileSync(diffWith, 'utf8').split(/^(?==== )/m).filter(Boolean).map((g) => [g.slice(0, g.indexOf('\n')), g.trimEnd()]));
  let differ = 0;
  let missing = 0;
  for (const g of out) {
    const head = g.slice(0, g.indexOf('\n'));
    const b = before.get(head);
    if (b === undefined) missing++;
    else if (b !== g.trimEnd()) {
      if (differ < 5) console.log(`differs: ${head}`);
      differ++;
    }
    before.delete(head);
  }
  console.log(`${files} files, ${graphs} graphs: ${differ} differ, ${missing} new, ${before.size} gone`);
  process.exitCode = differ || missing || before.size ? 1 : 0;
} else {
  process.stdout.write(`${out.join('\n')}\n`);
  console.error(`${files} files, ${graphs} graphs`);
}
