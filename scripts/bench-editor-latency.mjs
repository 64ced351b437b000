// Editor latency in the analysis worker (part of `npm run bench:analysis`): the built worker
// dist/analysisWorker.js is driven through its message protocol (src/core/worker/protocol.ts), as the
// extension drives it, and timed from this (the "extension host") thread.
//  - cold: from starting a worker to the diagnostics of the first file (worker start, web-tree-sitter
//    and grammar load, parse, analysis);
//  - re-analysis after a one-character edit, p50/p95 over 60 edits (after 5 unmeasured ones): "before"
//    parses the new text from scratch (what the editor did until the worker kept trees), "after" sends
//    VS Code's change to the worker, which re-parses the tree it kept incrementally. Both analyse the
//    whole file; the two are interleaved edit by edit so that machine noise falls on both.
// Files: a 1,000-line C file, curl's lib/ftp.c (4,500 lines, read from a local mirror of curl's git
// repository at bench time and never stored: SOCKSCOPE_BENCH_CURL_GIT or /work/.mirror/curl+curl/repo;
// a generated 4,500-line C file when there is none), and 1,500 lines of Python, 3,000 of Go and 800 of
// Java. The generated files are the language's corpus files one after another, as often as needed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

const EDITS = 60;
const WARMUP = 5;
const OPTIONS = { timeBudgetMs: 5000 };

/** A minimal client of the worker protocol: analyze requests answered by id, edits and closes without reply. */
class WorkerDriver {
  constructor(file) {
    this.worker = new Worker(file);
    this.nextId = 1;
    this.waiting = new Map();
    this.worker.on('message', (m) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.ok) w?.resolve(m.value);
      else w?.reject(new Error(m.error));
    });
    this.worker.on('error', (e) => {
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    });
  }

  analyze(request) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'analyze', id, options: OPTIONS, ...request });
    });
  }

  edit(document, changes) {
    this.worker.postMessage({ kind: 'edit', document, changes });
  }

  close(document) {
    this.worker.postMessage({ kind: 'close', document });
  }

  terminate() {
    return this.worker.terminate();
  }
}

/** The corpus files of a language one after another until `lines` lines (whole files only). */
function concatenated(root, corpus, extension, lines) {
  const dir = path.join(root, corpus);
  const texts = fs.readdirSync(dir).filter((n) => n.endsWith(extension)).sort().map((n) => fs.readFileSync(path.join(dir, n), 'utf8').replace(/\n*$/, '\n'));
  const parts = [];
  let count = 0;
  for (let i = 0; count < lines; i++) {
    const t = texts[i % texts.length];
    parts.push(t);
    count += t.split('\n').length - 1;
  }
  return parts.join('');
}

function curlFtp() {
  const candidates = [process.env.SOCKSCOPE_BENCH_CURL_GIT, '/work/.mirror/curl+curl/repo'].filter(Boolean);
  for (const gitDir of candidates) {
    try {
      const text = execFileSync('git', ['--git-dir', gitDir, 'show', 'HEAD:lib/ftp.c'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
      const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
      return { text, label: `curl lib/ftp.c (${commit})` };
    } catch {
      // try the next place
    }
  }
  return undefined;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Deterministic pseudo-random numbers: every run edits the same lines. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Offsets of the line starts of `text`. */
function lineStarts(text) {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

async function timeEdits(workerFile, file) {
  const driver = new WorkerDriver(workerFile);
  try {
    const doc = `bench:${file.name}`;
    let text = file.text;
    let version = 1;
    const first = await driver.analyze({ document: doc, version, language: file.language, text });
    const next = rng(42);
    const before = [];
    const after = [];
    const parseFull = [];
    const parseIncremental = [];
    const analysis = [];
    for (let i = 0; i < WARMUP + EDITS; i++) {
      // A one-character edit: a space typed at the start of a random line.
      const starts = lineStarts(text);
      const at = starts[Math.floor(next() * starts.length)];
      text = text.slice(0, at) + ' ' + text.slice(at);
      version++;
      // Before: the new text parsed from scratch, then analysed.
      const scratch = `${doc}#${version}`;
      let t0 = performance.now();
      const full = await driver.analyze({ document: scratch, version, language: file.language, text });
      const beforeMs = performance.now() - t0;
      driver.close(scratch);
      // After: VS Code's change event, then the analysis of the incrementally re-parsed tree.
      t0 = performance.now();
      driver.edit(doc, [{ rangeOffset: at, rangeLength: 0, text: ' ' }]);
      const inc = await driver.analyze({ document: doc, version, language: file.language, text });
      const afterMs = performance.now() - t0;
      if (inc.timing.parse !== 'incremental') throw new Error(`${file.name}: edit ${i} was parsed ${inc.timing.parse}ly`);
      if (JSON.stringify(inc.result) !== JSON.stringify(full.result)) throw new Error(`${file.name}: edit ${i}: the incremental and the full parse give different results`);
      if (i < WARMUP) continue;
      before.push(beforeMs);
      after.push(afterMs);
      parseFull.push(full.timing.parseMs);
      parseIncremental.push(inc.timing.parseMs);
      analysis.push(inc.timing.analysisMs);
    }
    return { first, before, after, parseFull, parseIncremental, analysis };
  } finally {
    await driver.terminate();
  }
}

async function coldStart(workerFile, file) {
  const t0 = performance.now();
  const driver = new WorkerDriver(workerFile);
  try {
    const online = new Promise((resolve) => driver.worker.once('online', () => resolve(performance.now() - t0)));
    const reply = await driver.analyze({ document: `cold:${file.name}`, version: 1, language: file.language, text: file.text });
    return { ms: performance.now() - t0, online: await online, findings: reply.result.findings.length };
  } finally {
    await driver.terminate();
  }
}

/** Runs the editor-latency benchmark; returns the lines to print (tables and notes). */
export async function editorLatency(root, { fmt, table }) {
  const workerFile = path.join(root, 'dist', 'analysisWorker.js');
  if (!fs.existsSync(workerFile)) throw new Error(`${workerFile} is missing: run \`npm run build\` first`);
  const notes = [];
  const curl = curlFtp();
  if (!curl) notes.push('curl\'s lib/ftp.c is not available (no local mirror of curl\'s repository): a generated 4,500-line C file stands in for it.');
  const files = [
    { name: 'generated-1000.c', label: 'C, corpus files (generated)', language: 'c', text: concatenated(root, 'test/fixtures/c', '.c', 1000) },
    curl
      ? { name: 'ftp.c', label: curl.label, language: 'c', text: curl.text }
      : { name: 'generated-4500.c', label: 'C, corpus files (generated)', language: 'c', text: concatenated(root, 'test/fixtures/c', '.c', 4500) },
    { name: 'generated-1500.py', label: 'Python, corpus files (generated)', language: 'python', text: concatenated(root, 'test/fixtures/python', '.py', 1500) },
    { name: 'generated-3000.go', label: 'Go, corpus files (generated)', language: 'go', text: concatenated(root, 'test/fixtures/go', '.go', 3000) },
    { name: 'generated-800.java', label: 'Java, corpus files (generated)', language: 'java', text: concatenated(root, 'test/fixtures/java', '.java', 800) },
  ];
  const lines = (t) => t.split('\n').length - (t.endsWith('\n') ? 1 : 0);

  const cold = [];
  for (const file of files) {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await coldStart(workerFile, file));
    const ms = runs.map((r) => r.ms);
    cold.push([file.label, lines(file.text), fmt(percentile(ms, 50), 0), `${fmt(Math.min(...ms), 0)}–${fmt(Math.max(...ms), 0)}`, fmt(percentile(runs.map((r) => r.online), 50), 0), runs[0].findings]);
  }

  const edits = [];
  for (const file of files) {
    const r = await timeEdits(workerFile, file);
    edits.push([
      file.label, lines(file.text), r.first.result.findings.length, r.first.result.hadParseErrors ? 'yes' : 'no',
      `${fmt(percentile(r.before, 50), 1)} / ${fmt(percentile(r.before, 95), 1)}`,
      `${fmt(percentile(r.after, 50), 1)} / ${fmt(percentile(r.after, 95), 1)}`,
      `${fmt(percentile(r.parseFull, 50), 1)} → ${fmt(percentile(r.parseIncremental, 50), 1)}`,
      fmt(percentile(r.analysis, 50), 1),
    ]);
  }
  return [
    `Editor latency in the analysis worker (timed from the calling thread; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})\n`,
    'Cold: worker start to the first file\'s diagnostics (3 fresh workers each)\n',
    table(['file', 'lines', 'median ms', 'range ms', 'of which worker start', 'findings'], cold),
    `\nRe-analysis after a one-character edit, ${EDITS} edits after ${WARMUP} unmeasured (p50 / p95 ms; before: full re-parse, after: incremental re-parse of the kept tree)\n`,
    table(['file', 'lines', 'findings', 'parse errors', 'before p50 / p95', 'after p50 / p95', 'parse p50 full → incr.', 'analysis p50'], edits),
    ...(notes.length ? ['', ...notes] : []),
  ];
}
