#!/usr/bin/env node
// Real-world benchmark (`npm run bench:realworld -- --repos DIR`, after the build; uses dist/cli.js).
// The data lives in bench/realworld/ (see its README.md): upstream leak-fix commits and judged samples
// of findings on whole projects. No third-party source is stored there and nothing is fetched here:
// the repositories are read from DIR, which holds them already, in any of these layouts (first found wins):
//   DIR/<owner>+<name>/repo   a git directory, as the `fetch` tool lays them out (so DIR may be /work/.mirror)
//   DIR/<owner>+<name>        a git directory or a checkout (a folder with .git)
//   DIR/<owner>/<name>        likewise
//   DIR/<name>                likewise
// A repository that is missing, or lacks a recorded commit, is listed and skipped.
//
// Modes:
//   (default)            leak-fix recall on the parent commit and silence on the fix; judged precision on the
//                        samples, re-checking that each judged finding is still reported; the share of real files
//                        with a syntax-error note. Tuned and held-out figures separately.
//   --record-findings    run the checker over each project tree at its recorded commit and (re)write
//                        bench/realworld/findings/<project>.json with the tool's commit.
//   --draw-sample        draw the random samples to judge from the findings files (fixed --seed, printed) and
//                        write bench/realworld/judgements/<lang>.jsonl skeletons; refuses to overwrite judged rows.
//   --census PROJECT     append every finding of PROJECT not listed yet (held-out projects are judged in full).
//   --draw-sample --append   draw more: a seeded sample of the findings not listed yet, appended (rows marked
//                        "drawn": "seed N"), for a language whose judged sample shrank as the checker improved.
//   --draw-more L=N,…    append N more findings per language, drawn (seeded) from its findings files among the
//                        warnings not judged yet (rows with "drawn": "more-<seed>"), when too few judged ones are still reported.
//   --projects A,B       with --record-findings: only these projects.
// Options: --repos DIR (required), --cli FILE (another build of the CLI), --only leakfix|projects,
//          --project NAME[,NAME] (with --record-findings: only these projects), --lang c,go,python,java (only
//          these languages' records and projects),
//          --seed N (default 20261204), --sizes c=50,go=25,python=25,java=25, --verbose (list each record),
//          --no-workspace (C, Java and Python leak-fix files alone, without the facts of their project's other files:
//          how it was measured before workspace summaries, and for a --cli that has no --workspace).
// Go leak-fix records are checked with the repository's .go and go.mod files at that commit next to them: the
// other files of their package, and the packages of their module that they import (found through go.mod).
// Java leak-fix records are checked with the repository's .java and build files at that commit next to them: the
// classes of other files of their project (javaProject.ts). --no-workspace leaves them out too.
// Python leak-fix records are checked with the repository's .py files at that commit next to them: the functions
// of the project's modules they import (pythonProject.ts). --no-workspace leaves them out too.
// C/C++ leak-fix records are checked with `check --workspace`: the C/C++ files of the record's project at
// the parent commit (the top folder of the record's path, e.g. redis's src/, or the whole repository for a
// file at its root), written once per commit and folder, give the summaries of the project's functions.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const DATA = path.join(root, 'bench', 'realworld');
const LANGS = ['c', 'python', 'go', 'java'];
const EXIT_TOLERANCE = 2;
const JAVA_BUILD_FILE = /(^|\/)(pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|build\.xml)$/;

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const o = { repos: undefined, cli: path.join(root, 'dist', 'cli.js'), only: undefined, mode: 'bench', seed: 20261204, sizes: { c: 50, go: 25, python: 25, java: 25 }, sizesGiven: {}, verbose: false, workspace: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--repos') o.repos = path.resolve(next());
    else if (a === '--cli') o.cli = path.resolve(next());
    else if (a === '--only') o.only = next();
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--sizes') for (const kv of next().split(',')) { const [k, v] = kv.split('='); o.sizes[k] = Number(v); o.sizesGiven[k] = true; }
    else if (a === '--record-findings') o.mode = 'record';
    else if (a === '--draw-sample') o.mode = 'draw';
    else if (a === '--append') o.append = true;
    else if (a === '--project') o.projects = next().split(',');
    else if (a === '--draw-more') {
      o.mode = 'more';
      o.more = Object.fromEntries(next().split(',').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
    }
    else if (a === '--projects') o.projects = next().split(',');
    else if (a === '--census') {
      o.mode = 'census';
      o.census = next();
    }
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--lang') o.langs = next().split(',');
    else if (a === '--no-workspace') o.workspace = false;
    else if (a === '-h' || a === '--help') o.mode = 'help';
    else throw new Error(`unknown argument '${a}'`);
  }
  if (o.only && !['leakfix', 'projects'].includes(o.only)) throw new Error('--only takes leakfix or projects');
  if (!Number.isInteger(o.seed)) throw new Error('--seed takes an integer');
  for (const l of o.langs ?? []) if (!LANGS.includes(l)) throw new Error(`--lang takes ${LANGS.join(', ')} (comma-separated)`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Processes (no shell: argument arrays only)

function run(file, args, { cwd, maxBuffer = 1 << 30, encoding = 'utf8' } = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, maxBuffer, encoding }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr, error });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Repositories

function isGitDir(p) {
  return fs.existsSync(path.join(p, 'HEAD')) && fs.existsSync(path.join(p, 'objects'));
}

/** The git directory holding `owner/name` under reposDir, or undefined. */
function findGitDir(reposDir, repo) {
  const [owner, name] = repo.split('/');
  const candidates = [path.join(reposDir, `${owner}+${name}`, 'repo'), path.join(reposDir, `${owner}+${name}`), path.join(reposDir, owner, name), path.join(reposDir, name)];
  for (const c of candidates) {
    if (!fs.existsSync(c)) continue;
    if (isGitDir(c)) return c;
    const dotGit = path.join(c, '.git');
    if (fs.existsSync(dotGit)) return dotGit;
  }
  return undefined;
}

class Repos {
  constructor(dir) {
    this.dir = dir;
    this.cache = new Map();
  }
  gitDir(repo) {
    if (!this.cache.has(repo)) this.cache.set(repo, findGitDir(this.dir, repo));
    return this.cache.get(repo);
  }
  async hasCommit(repo, commit) {
    const g = this.gitDir(repo);
    if (!g) return false;
    const r = await run('git', ['--git-dir', g, 'cat-file', '-e', `${commit}^{commit}`]);
    return r.code === 0;
  }
  /** The file's bytes at a commit, or undefined. */
  async show(repo, commit, file) {
    const g = this.gitDir(repo);
    if (!g) return undefined;
    const r = await run('git', ['--git-dir', g, 'show', `${commit}:${file}`], { encoding: 'buffer' });
    return r.code === 0 ? r.stdout : undefined;
  }
  /** The other .go files of the folder of `file` at a commit (not its subfolders). */
  async goSiblings(repo, commit, file) {
    const g = this.gitDir(repo);
    if (!g) return [];
    const dir = path.posix.dirname(file);
    const ls = await run('git', ['--git-dir', g, 'ls-tree', '--name-only', commit, '--', dir === '.' ? '.' : `${dir}/`]);
    if (ls.code !== 0) return [];
    return String(ls.stdout).split('\n').filter((f) => f.endsWith('.go') && f !== file);
  }
  /**
   * Writes the C/C++ files under `dir` ('' for the whole tree) at a commit into dest, once (a later
   * call with the same dest finds them there). Returns whether dest holds them.
   */
  extractC(repo, commit, dir, dest) {
    // One extraction per folder, also when two records of one commit ask at the same time.
    this.extracting ??= new Map();
    if (!this.extracting.has(dest)) this.extracting.set(dest, this.extractCOnce(repo, commit, dir, dest));
    return this.extracting.get(dest);
  }
  async extractCOnce(repo, commit, dir, dest) {
    if (fs.existsSync(path.join(dest, '.complete'))) return true;
    const g = this.gitDir(repo);
    const ls = await run('git', ['--git-dir', g, 'ls-tree', '-r', '--name-only', commit, '--', dir || '.']);
    if (ls.code !== 0) return false;
    const files = String(ls.stdout).split('\n').filter((f) => C_FILE.test(f));
    fs.mkdirSync(dest, { recursive: true });
    if (files.length) {
      const tarFile = `${dest}.tar`;
      const a = await run('git', ['--git-dir', g, 'archive', '--format=tar', '-o', tarFile, commit, '--', ...files]);
      if (a.code !== 0) return false;
      const t = await run('tar', ['-xf', tarFile, '-C', dest]);
      fs.rmSync(tarFile, { force: true });
      if (t.code !== 0) return false;
    }
    fs.writeFileSync(path.join(dest, '.complete'), '');
    return true;
  }
  /** Writes the files of a commit whose paths `keep` accepts into dest (the record's own file is written over with the same bytes). */
  async extractMatching(repo, commit, dest, keep, tag) {
    const g = this.gitDir(repo);
    const ls = await run('git', ['--git-dir', g, 'ls-tree', '-r', '--name-only', commit]);
    if (ls.code !== 0) return false;
    const files = String(ls.stdout).split('\n').filter(keep);
    if (!files.length) return true;
    const tarFile = `${dest}.${tag}.tar`;
    const a = await run('git', ['--git-dir', g, 'archive', '--format=tar', '-o', tarFile, commit, '--', ...files]);
    if (a.code !== 0) return false;
    const t = await run('tar', ['-xf', tarFile, '-C', dest]);
    fs.rmSync(tarFile, { force: true });
    return t.code === 0;
  }
  /** The .go and go.mod files of a commit, into dest. */
  extractGo(repo, commit, dest) {
    return this.extractMatching(repo, commit, dest, (f) => f.endsWith('.go') || f === 'go.mod' || f.endsWith('/go.mod'), 'go');
  }
  /**
   * The repository's .java files and build files (pom.xml, build.gradle, settings.gradle, build.xml) at a
   * commit, into dest: the other files of a Java record's project, where the checker finds its classes.
   */
  extractJava(repo, commit, dest) {
    return this.extractMatching(repo, commit, dest, (f) => f.endsWith('.java') || JAVA_BUILD_FILE.test(f), 'java');
  }
  /** The repository's .py files at a commit, into dest: the modules a Python record's file imports. */
  extractPython(repo, commit, dest) {
    return this.extractMatching(repo, commit, dest, (f) => f.endsWith('.py'), 'python');
  }
  /** Writes the tree of a commit into dest (git archive, then tar without a shell). */
  async extract(repo, commit, dest) {
    const g = this.gitDir(repo);
    const tarFile = `${dest}.tar`;
    fs.mkdirSync(dest, { recursive: true });
    let a = await run('git', ['--git-dir', g, 'archive', '--format=tar', '-o', tarFile, commit]);
    if (a.code !== 0) {
      // A snapshot may list its largest files without holding them (a video, a data blob): archive the
      // files whose contents are present, so that the checker still reads the whole source tree.
      const present = await this.presentFiles(g, commit);
      if (!present) return false;
      a = await run('git', ['--git-dir', g, 'archive', '--format=tar', '-o', tarFile, commit, '--', ...present]);
    }
    if (a.code !== 0) return false;
    const t = await run('tar', ['-xf', tarFile, '-C', dest]);
    fs.rmSync(tarFile, { force: true });
    return t.code === 0;
  }
  /** The paths of the commit's files whose blobs the git directory holds (undefined if it cannot tell). */
  async presentFiles(g, commit) {
    const ls = await run('git', ['--git-dir', g, 'ls-tree', '-r', '-z', commit]);
    if (ls.code !== 0) return undefined;
    const blobs = String(ls.stdout).split('\0').filter(Boolean).map((e) => {
      const tab = e.indexOf('\t');
      const [, type, oid] = e.slice(0, tab).split(' ');
      return { type, oid, file: e.slice(tab + 1) };
    }).filter((b) => b.type === 'blob');
    const present = [];
    for (const b of blobs) if ((await run('git', ['--git-dir', g, 'cat-file', '-e', b.oid])).code === 0) present.push(b.file);
    return present;
  }
}

// ---------------------------------------------------------------------------------------------
// The checker, through its CLI only

const SYNTAX_NOTE = /^sockscope check: (.*): note: syntax errors;/;

/** Findings at warning severity (what precision and recall count); below it, the "pedantic" ones (see README). */
const isWarning = (f) => (f.severity ?? 'warning') === 'warning';

const C_FILE = /\.(c|h|cc|cpp|cxx|hh|hpp|hxx)$/i;

/** Runs `check --format json` on `target` (relative to cwd): findings, and the files with a syntax-error note. */
async function check(cli, cwd, target, extra = []) {
  const targets = Array.isArray(target) ? target : [target];
  if (!targets.length) return { findings: [], below: [], syntax: new Set() };
  const r = await run(process.execPath, [cli, 'check', '--format', 'json', ...extra, ...targets], { cwd });
  if (r.code !== 0 && r.code !== 1) throw new Error(`checker failed (exit ${r.code}): ${String(r.stderr).split('\n').slice(-3).join(' ')}`);
  const all = JSON.parse(r.stdout);
  const findings = all.filter(isWarning);
  const below = all.filter((f) => !isWarning(f));
  const syntax = new Set();
  for (const line of String(r.stderr).split('\n')) {
    const m = SYNTAX_NOTE.exec(line);
    if (m) syntax.add(m[1]);
  }
  return { findings, below, syntax };
}

/** How many files the checker read (from its text summary: "... (N files checked, ...)"). */
async function countChecked(cli, cwd, target) {
  const r = await run(process.execPath, [cli, 'check', '--format', 'text', target], { cwd });
  const m = /\((\d+) files? checked/.exec(String(r.stdout));
  return m ? Number(m[1]) : NaN;
}

/** Runs `work` over the items, at most `n` at a time. */
async function inParallel(items, n, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

// ---------------------------------------------------------------------------------------------
// Matching rule (see bench/realworld/README.md)

/** `A.b`, `A::b`, `(*A).b` and `b` name the same function `b`; Go receivers and Java/Python classes are ignored. */
function lastName(fn) {
  return String(fn ?? '').split(/::|\./).pop().trim();
}
function normVar(v) {
  return String(v ?? '').replace(/\s+/g, '');
}
/** The record's variable, one of its elements (`fds[0]` for `fds`), or a Go response's body (`resp.Body` for `resp`). */
function sameVariable(findingVar, recordVar) {
  const f = normVar(findingVar);
  const r = normVar(recordVar);
  return f === r || f.startsWith(`${r}[`) || f === `${r}.Body`;
}
/**
 * The record's leak: same variable, in the record's function, or in a function literal (a Go finding
 * there is named `<lambda>`; a record names the declared function that encloses the literal).
 */
function sameSubject(finding, rec) {
  return (lastName(finding.function) === lastName(rec.function) || finding.function === '<lambda>') && sameVariable(finding.variable, rec.variable);
}
function near(line, target) {
  return Math.abs(line - target) <= EXIT_TOLERANCE;
}
/** Found: same function and variable, reported on a recorded exit (±2) or at the recorded acquisition (±2). */
function foundFor(findings, rec) {
  return findings.some((f) => sameSubject(f, rec) && (rec.exitLines.some((e) => near(f.line, e)) || (rec.acquiredLine !== undefined && near(f.acquiredLine, rec.acquiredLine))));
}

// ---------------------------------------------------------------------------------------------
// Data

function readJsonl(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: ${e.message}`);
    }
  });
}
/** Hand-judged data is rewritten whole: write beside it and rename, so an interrupted run loses nothing. */
function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
function writeJsonl(file, rows) {
  writeAtomic(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
/** Appends rows to a JSONL file, keeping its existing lines byte for byte (judged rows are hand-written). */
function appendJsonl(file, rows) {
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (text && !text.endsWith('\n')) text += '\n';
  writeAtomic(file, text + rows.map((r) => JSON.stringify(r) + '\n').join(''));
}
const projects = () => JSON.parse(fs.readFileSync(path.join(DATA, 'projects.json'), 'utf8'));
const findingsFile = (p) => path.join(DATA, 'findings', `${p.name}.json`);
const judgementsFile = (lang) => path.join(DATA, 'judgements', `${lang}.jsonl`);

function pct(n, d) {
  return d ? `${(100 * n / d).toFixed(0)} %` : '–';
}
function ratio(n, d) {
  return d ? (n / d).toFixed(2) : '–';
}

// ---------------------------------------------------------------------------------------------
// Leak-fix commits: recall on the parent, silence on the fix

async function benchLeakFixes(o, repos, tmp) {
  const records = readJsonl(path.join(DATA, 'leak-fixes.jsonl')).filter((r) => !o.langs || o.langs.includes(r.language));
  const missing = [];
  const present = [];
  for (const rec of records) {
    const parent = await repos.show(rec.repo, rec.parent, rec.path);
    const fixed = await repos.show(rec.repo, rec.fix, rec.path);
    if (!parent || !fixed) {
      missing.push(repos.gitDir(rec.repo) ? `${rec.id} (commit or file not in ${rec.repo})` : `no repository ${rec.repo}`);
      continue;
    }
    for (const [side, bytes, commit] of [['parent', parent, rec.parent], ['fix', fixed, rec.fix]]) {
      const p = path.join(tmp, 'leakfix', side, rec.id, rec.path);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, bytes);
      // A Go file is analysed with the other files of its package (its folder) and the packages of its module
      // that it imports (found through go.mod), as they were at that commit: the repository's .go and go.mod files.
      // A Java file is analysed with the other Java files of its repository at that commit (javaProject.ts finds
      // its package folder and the source roots its imports name); the record's own file is written again after.
      if (rec.language === 'java' && o.workspace) {
        await repos.extractJava(rec.repo, commit, path.join(tmp, 'leakfix', side, rec.id));
        fs.writeFileSync(p, bytes);
      }
      // A Python file likewise, with the repository's .py files (pythonProject.ts finds the modules it imports).
      if (rec.language === 'python' && o.workspace) {
        await repos.extractPython(rec.repo, commit, path.join(tmp, 'leakfix', side, rec.id));
        fs.writeFileSync(p, bytes);
      }
      if (rec.language === 'go' && !(await repos.extractGo(rec.repo, commit, path.join(tmp, 'leakfix', side, rec.id)))) {
        for (const sib of await repos.goSiblings(rec.repo, commit, rec.path)) {
          const b = await repos.show(rec.repo, commit, sib);
          if (b) fs.writeFileSync(path.join(tmp, 'leakfix', side, rec.id, sib), b);
        }
      }
    }
    present.push(rec);
  }
  const results = [];
  if (present.length) {
    const cwd = path.join(tmp, 'leakfix');
    const byFile = (res, side) => {
      const m = new Map();
      for (const f of res.findings) {
        const k = path.normalize(f.file);
        if (!m.has(k)) m.set(k, []);
        m.get(k).push(f);
      }
      return (rec) => m.get(path.join(side, rec.id, rec.path)) ?? [];
    };
    // C/C++ records with the summaries of their project (see the top of this file); the others all at once.
    const inWorkspace = o.workspace ? present.filter((r) => r.language === 'c') : [];
    const alone = present.filter((r) => !inWorkspace.includes(r));
    const parentRes = await check(o.cli, cwd, alone.map((r) => path.join('parent', r.id, r.path)));
    const fixRes = await check(o.cli, cwd, alone.map((r) => path.join('fix', r.id, r.path)));
    const started = Date.now();
    await inParallel(inWorkspace, 2, async (rec) => {
      const top = rec.path.includes('/') ? rec.path.split('/')[0] : '';
      const ws = path.join(tmp, 'workspaces', rec.repo.replace('/', '+'), rec.parent, top || '_root');
      if (!(await repos.extractC(rec.repo, rec.parent, top, ws))) return;
      // Both sides in one run, over the parent's project (the fix commit changes the record's file).
      const res = await check(o.cli, cwd, [path.join('parent', rec.id, rec.path), path.join('fix', rec.id, rec.path)], ['--workspace', ws]);
      const isParent = (f) => path.normalize(f.file).startsWith(`parent${path.sep}`);
      parentRes.findings.push(...res.findings.filter(isParent));
      fixRes.findings.push(...res.findings.filter((f) => !isParent(f)));
      // Below warning too: a record found only at information severity is listed as such ("i").
      parentRes.below.push(...res.below.filter(isParent));
      for (const s of res.syntax) parentRes.syntax.add(s);
    });
    if (inWorkspace.length) console.log(`(${inWorkspace.length} C/C++ records checked with their project's summaries in ${((Date.now() - started) / 1000).toFixed(0)} s)`);
    const parentOf = byFile(parentRes, 'parent');
    const fixOf = byFile(fixRes, 'fix');
    const parentBelowOf = byFile({ findings: parentRes.below }, 'parent');
    for (const rec of present) {
      const found = foundFor(parentOf(rec), rec);
      const foundBelow = !found && foundFor(parentBelowOf(rec), rec);
      const stillReported = fixOf(rec).some((f) => sameSubject(f, rec));
      const syntax = parentRes.syntax.has(path.join('parent', rec.id, rec.path));
      results.push({ rec, found, foundBelow, silent: !stillReported, syntax });
    }
  }
  console.log('\n## Leak-fix commits (recall on the parent, silence on the fix)');
  console.log(`${records.length} records, ${present.length} with their repository present.`);
  if (missing.length) {
    const counts = new Map();
    for (const m of missing) counts.set(m, (counts.get(m) ?? 0) + 1);
    console.log(`Skipped ${missing.length} records:\n  ${[...counts].map(([m, n]) => `${m}${n > 1 ? ` (${n} records)` : ''}`).join('\n  ')}`);
  }
  console.log('\n| language | set | records | found in parent | recall | silent on fix (of found) | found only below warning | parent files with syntax note |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const summary = {};
  for (const lang of o.langs ?? LANGS) {
    for (const [label, held] of [['tuned', false], ['held-out', true]]) {
      const rs = results.filter((r) => r.rec.language === lang && Boolean(r.rec.heldOut) === held);
      if (!rs.length) continue;
      const found = rs.filter((r) => r.found);
      const silent = found.filter((r) => r.silent).length;
      const syn = rs.filter((r) => r.syntax).length;
      const below = rs.filter((r) => r.foundBelow).length;
      summary[`${lang}/${label}`] = { n: rs.length, found: found.length };
      console.log(`| ${lang} | ${label} | ${rs.length} | ${found.length} | ${ratio(found.length, rs.length)} | ${silent}/${found.length} | ${below} | ${syn} |`);
    }
  }
  if (o.verbose) {
    console.log('\nPer record (F = found, S = silent on the fix, i = found only below warning):');
    for (const r of results) console.log(`  ${r.found ? 'F' : r.foundBelow ? 'i' : '-'}${r.found && r.silent ? 'S' : '-'} ${r.rec.heldOut ? '[held-out] ' : ''}${r.rec.id}`);
  }
  return summary;
}

// ---------------------------------------------------------------------------------------------
// Whole projects: judged precision on the samples, syntax-error notes

async function checkProject(o, repos, tmp, p) {
  const dest = path.join(tmp, 'projects', p.name);
  if (!(await repos.extract(p.repo, p.commit, dest))) return undefined;
  const res = await check(o.cli, dest, '.');
  const checked = await countChecked(o.cli, dest, '.');
  return { findings: res.findings, below: res.below, syntax: res.syntax, checked };
}

async function benchProjects(o, repos, tmp) {
  const ps = projects().filter((p) => !o.langs || o.langs.includes(p.language));
  const live = new Map();
  const missing = [];
  for (const p of ps) {
    if (!(await repos.hasCommit(p.repo, p.commit))) {
      missing.push(`${p.name} (${repos.gitDir(p.repo) ? `commit ${p.commit.slice(0, 12)} missing` : `no repository ${p.repo}`})`);
      continue;
    }
    live.set(p.name, await checkProject(o, repos, tmp, p));
  }
  console.log('\n## Whole projects (judged samples; precision = true / judged)');
  if (missing.length) console.log(`Missing (skipped): ${missing.join(', ')}`);
  console.log('\n| project | language | set | files | with syntax note | findings now (+ below warning) | findings recorded |');
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const p of ps) {
    const l = live.get(p.name);
    const rec = fs.existsSync(findingsFile(p)) ? JSON.parse(fs.readFileSync(findingsFile(p), 'utf8')) : undefined;
    if (!l) continue;
    console.log(`| ${p.name} | ${p.language} | ${p.heldOut ? 'held-out' : 'tuned'} | ${l.checked} | ${l.syntax.size} (${pct(l.syntax.size, l.checked)}) | ${l.findings.length}${l.below.length ? ` (+${l.below.length})` : ''} | ${rec ? rec.findings.length : '–'} |`);
  }
  console.log('\n| language | set | judged | still reported | true | false | pedantic | unclear | precision | no longer reported (true/false/pedantic/unclear) | only below warning (true/false/pedantic/unclear) |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  const byName = new Map(ps.map((p) => [p.name, p]));
  const causes = new Map(); // cause -> { c: n, go: n, ... }
  const goneTrue = []; // rows judged true that are no longer reported as warnings (a recall loss to explain)
  for (const lang of o.langs ?? LANGS) {
    const rows = readJsonl(judgementsFile(lang)).filter((j) => live.has(j.project));
    for (const [label, held] of [['tuned', false], ['held-out', true]]) {
      const rs = rows.filter((j) => Boolean(byName.get(j.project)?.heldOut) === held && j.verdict && j.verdict !== 'unjudged');
      if (!rs.length) continue;
      const count = { true: 0, false: 0, pedantic: 0, unclear: 0 };
      const gone = { true: 0, false: 0, pedantic: 0, unclear: 0 };
      const below = { true: 0, false: 0, pedantic: 0, unclear: 0 };
      // Where a judged row names a finding's own line, that row judges it (and no other row through its acquisition).
      const judgedAt = new Set(rows.map((r) => `${r.project}\0${r.file}\0${normVar(r.variable)}\0${lastName(r.function)}\0${r.line}`));
      for (const j of rs) {
        // The same finding: same function and variable, at the judged line; a finding judged where it was
        // reported at its acquisition (Python before it moved to the exit convention) is the same leak
        // when reported from that acquisition at its exits, unless a row of its own judges it there (one
        // finding, one verdict). Only warnings count as reported; a finding reported below warning
        // severity only is counted apart.
        const same = (f) => f.file === j.file && normVar(f.variable) === normVar(j.variable) &&
          lastName(f.function) === lastName(j.function) && (f.line === j.line || (j.line === j.acquiredLine && f.acquiredLine === j.acquiredLine &&
            !judgedAt.has(`${j.project}\0${f.file}\0${normVar(f.variable)}\0${lastName(f.function)}\0${f.line}`)));
        const now = live.get(j.project).findings.some(same);
        if (!now && live.get(j.project).below.some(same)) below[j.verdict]++;
        (now ? count : gone)[j.verdict]++;
        if (!now && j.verdict === 'true') goneTrue.push(`${j.project} ${j.file}:${j.line} ${j.function} ${j.variable}${below[j.verdict] && live.get(j.project).below.some(same) ? ' (below warning)' : ''}`);
        if (now && j.verdict === 'false') {
          const c = causes.get(j.cause) ?? {};
          c[lang] = (c[lang] ?? 0) + 1;
          causes.set(j.cause, c);
        }
      }
      const judged = count.true + count.false + count.pedantic + count.unclear;
      console.log(`| ${lang} | ${label} | ${rs.length} | ${judged} | ${count.true} | ${count.false} | ${count.pedantic} | ${count.unclear} | ${ratio(count.true, judged)} | ${gone.true}/${gone.false}/${gone.pedantic}/${gone.unclear} | ${below.true}/${below.false}/${below.pedantic}/${below.unclear} |`);
    }
  }
  if (o.verbose && goneTrue.length) console.log(`\nRows judged true no longer reported as warnings (${goneTrue.length}):\n  ${goneTrue.join('\n  ')}`);
  if (o.verbose) {
    // Warnings reported now that no judged row names (same file, function, variable and line): what to judge next.
    const unjudged = [];
    for (const lang of o.langs ?? LANGS) {
      const rows = readJsonl(judgementsFile(lang));
      for (const p of ps.filter((q) => q.language === lang && live.has(q.name))) {
        for (const f of live.get(p.name).findings) {
          const listed = rows.some((j) => j.project === p.name && j.file === f.file && normVar(j.variable) === normVar(f.variable) && lastName(j.function) === lastName(f.function) && j.line === f.line);
          if (!listed) unjudged.push(`${p.name} ${f.file}:${f.line} ${f.function} ${f.variable} (acquired ${f.acquiredLine})${p.heldOut ? ' [held-out]' : ''}`);
        }
      }
    }
    console.log(`\nWarnings reported now that no judged row names (${unjudged.length}):`);
    for (const u of unjudged) console.log(`  ${u}`);
  }
  if (causes.size) {
    const total = (c) => Object.values(c).reduce((a, b) => a + b, 0);
    console.log('\nFalse positives still reported, by cause (tuned and held-out together):\n');
    console.log(`| cause | all | ${LANGS.join(' | ')} |`);
    console.log(`| --- | ---: | ${LANGS.map(() => '---:').join(' | ')} |`);
    for (const [cause, c] of [...causes].sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]))) {
      console.log(`| ${cause.replace(/\|/g, '\\|')} | ${total(c)} | ${LANGS.map((l) => c[l] ?? '').join(' | ')} |`);
    }
  }
  let files = 0;
  let syntax = 0;
  const perLang = new Map();
  for (const p of ps) {
    const l = live.get(p.name);
    if (!l) continue;
    files += l.checked;
    syntax += l.syntax.size;
    const e = perLang.get(p.language) ?? { files: 0, syntax: 0 };
    e.files += l.checked;
    e.syntax += l.syntax.size;
    perLang.set(p.language, e);
  }
  console.log(`\nReal files with a syntax-error note: ${syntax} of ${files} (${pct(syntax, files)}); ` + [...perLang].map(([k, v]) => `${k} ${pct(v.syntax, v.files)}`).join(', '));
}

// ---------------------------------------------------------------------------------------------
// Maintenance modes

async function recordFindings(o, repos, tmp) {
  const toolCommit = (await run('git', ['-C', root, 'rev-parse', 'HEAD'])).stdout.trim();
  const dirty = (await run('git', ['-C', root, 'status', '--porcelain', '--', 'src'])).stdout.trim() !== '';
  fs.mkdirSync(path.join(DATA, 'findings'), { recursive: true });
  for (const p of projects().filter((q) => !o.projects || o.projects.includes(q.name))) {
    if (!(await repos.hasCommit(p.repo, p.commit))) {
      console.log(`skipped ${p.name}: ${p.repo} at ${p.commit.slice(0, 12)} not found`);
      continue;
    }
    const l = await checkProject(o, repos, tmp, p);
    const findings = [...l.findings, ...l.below].map((f) => ({ file: f.file, line: f.line, function: f.function, variable: f.variable, acquiredLine: f.acquiredLine, ruleId: f.ruleId, ...(isWarning(f) ? {} : { severity: f.severity }) }));
    const out = { project: p.name, repo: p.repo, commit: p.commit, toolCommit: toolCommit + (dirty ? '+uncommitted' : ''), filesChecked: l.checked, filesWithSyntaxNote: l.syntax.size, findings };
    writeAtomic(findingsFile(p), JSON.stringify(out, null, 1) + '\n');
    console.log(`${p.name}: ${findings.length} findings in ${l.checked} files (${l.syntax.size} with a syntax-error note)`);
  }
}

/** mulberry32: a small seeded generator, so the sample can be drawn again from the printed seed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Appends every finding of a project that is not in its language's judgement file yet (a census, for held-out projects). */
function census(o) {
  const p = projects().find((q) => q.name === o.census);
  if (!p) throw new Error(`--census: no project '${o.census}' in projects.json`);
  const file = judgementsFile(p.language);
  const rows = readJsonl(file);
  const key = (f) => `${p.name}\0${f.file}\0${f.line}\0${normVar(f.variable)}`;
  const have = new Set(rows.filter((j) => j.project === p.name).map(key));
  const add = JSON.parse(fs.readFileSync(findingsFile(p), 'utf8')).findings.filter((f) => isWarning(f) && !have.has(key(f)));
  appendJsonl(file, add.map((f) => ({ project: p.name, file: f.file, line: f.line, function: f.function, variable: f.variable, acquiredLine: f.acquiredLine, drawn: 'census', verdict: 'unjudged', cause: '', note: '' })));
  console.log(`${p.name}: ${add.length} more findings appended to ${path.relative(root, file)} (every finding of the project is now listed)`);
}

/** Appends N more findings per language (seeded shuffle of its warnings not judged yet: same file, line and variable). */
function drawMore(o) {
  console.log(`seed ${o.seed}`);
  for (const [lang, n] of Object.entries(o.more)) {
    const file = judgementsFile(lang);
    const rows = readJsonl(file);
    const key = (project, f) => `${project}\0${f.file}\0${f.line}\0${normVar(f.variable)}`;
    const have = new Set(rows.map((j) => key(j.project, j)));
    const pool = [];
    for (const p of projects().filter((q) => q.language === lang)) {
      if (!fs.existsSync(findingsFile(p))) continue;
      for (const f of JSON.parse(fs.readFileSync(findingsFile(p), 'utf8')).findings) if (isWarning(f) && !have.has(key(p.name, f))) pool.push({ project: p.name, ...f });
    }
    pool.sort((a, b) => a.project.localeCompare(b.project) || a.file.localeCompare(b.file) || a.line - b.line || a.variable.localeCompare(b.variable));
    const random = rng(o.seed);
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    const add = pool.slice(0, n).map((f) => ({ project: f.project, file: f.file, line: f.line, function: f.function, variable: f.variable, acquiredLine: f.acquiredLine, drawn: `more-${o.seed}`, verdict: 'unjudged', cause: '', note: '' }));
    appendJsonl(file, add);
    console.log(`${lang}: ${add.length} of ${pool.length} unjudged warnings appended to ${path.relative(root, file)}`);
  }
}

function drawSample(o) {
  console.log(`seed ${o.seed}`);
  fs.mkdirSync(path.join(DATA, 'judgements'), { recursive: true });
  for (const lang of LANGS) {
    const pool = [];
    for (const p of projects().filter((q) => q.language === lang)) {
      if (!fs.existsSync(findingsFile(p))) continue;
      for (const f of JSON.parse(fs.readFileSync(findingsFile(p), 'utf8')).findings) if (isWarning(f)) pool.push({ project: p.name, ...f });
    }
    pool.sort((a, b) => a.project.localeCompare(b.project) || a.file.localeCompare(b.file) || a.line - b.line || a.variable.localeCompare(b.variable));
    const random = rng(o.seed);
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    const file = judgementsFile(lang);
    const old = readJsonl(file);
    if (o.append) {
      if (!(lang in o.sizesGiven)) continue;
      const key = (f) => `${f.project}\0${f.file}\0${f.line}\0${normVar(f.variable)}`;
      const listed = new Set(old.map(key));
      const more = pool.filter((f) => !listed.has(key(f))).slice(0, o.sizes[lang]);
      appendJsonl(file, more.map((f) => ({ project: f.project, file: f.file, line: f.line, function: f.function, variable: f.variable, acquiredLine: f.acquiredLine, drawn: `seed ${o.seed}`, verdict: 'unjudged', cause: '', note: '' })));
      console.log(`${lang}: ${more.length} more findings (of ${pool.filter((f) => !listed.has(key(f))).length} not listed) appended to ${path.relative(root, file)}`);
      continue;
    }
    const sample = pool.slice(0, o.sizes[lang] ?? 25);
    if (old.some((j) => j.verdict && j.verdict !== 'unjudged')) {
      console.log(`${lang}: ${file} already holds judgements; not overwritten`);
      continue;
    }
    writeJsonl(file, sample.map((f) => ({ project: f.project, file: f.file, line: f.line, function: f.function, variable: f.variable, acquiredLine: f.acquiredLine, verdict: 'unjudged', cause: '', note: '' })));
    console.log(`${lang}: ${sample.length} of ${pool.length} findings drawn into ${path.relative(root, file)}`);
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.mode === 'help') {
    console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
    return;
  }
  if (o.mode === 'draw') return drawSample(o);
  if (o.mode === 'census') return census(o);
  if (o.mode === 'more') return drawMore(o);
  if (!o.repos) throw new Error('--repos DIR is required (the folder that holds the repositories; see bench/realworld/README.md)');
  if (!fs.existsSync(o.repos)) throw new Error(`${o.repos}: no such folder`);
  if (!fs.existsSync(o.cli)) throw new Error(`${o.cli} not found: run node scripts/build.mjs first`);
  const repos = new Repos(o.repos);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-realworld-'));
  // The materialised trees are large: remove them on Ctrl-C or kill too.
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      fs.rmSync(tmp, { recursive: true, force: true });
      process.exit(130);
    });
  }
  try {
    if (o.mode === 'record') return await recordFindings(o, repos, tmp);
    console.log(`# SockScope real-world benchmark (repositories from ${o.repos})`);
    if (o.only !== 'projects') await benchLeakFixes(o, repos, tmp);
    if (o.only !== 'leakfix') await benchProjects(o, repos, tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench-realworld: ${e.message}`);
  process.exitCode = 2;
});
