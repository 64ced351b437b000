// `sockscope check <files or folders…> [--format text|json|sarif] [--fix] [--ownership-transfer NAME]...
// [--workspace DIR]... [--jobs N]`: finds descriptor/socket leaks in C, C++, Python, Go and Java sources, for
// terminals, scripts (JSON) and GitHub code scanning (SARIF). With --fix, writes the "close on all paths"
// fixes into the files. C/C++ files are analysed with the summaries of every C/C++ function in the
// files and folders checked and in each --workspace folder (wrappers, owners, releasing macros).
// Without --fix, several files are analysed at once in worker threads (--jobs, default: the cores).

import { analyzeSource, SYNTAX_ERRORS_NOTE } from '../../core/analysis';
import type { AnalysisOptions, AnalysisResult, Finding, LanguageId, SourceWorkspace } from '../../core/analysis';
import { indexFiles, indexOrder, loadIndexable, workspaceKey } from '../../core/analysis/cWorkspace';
import { CWorkspaceIndex, parseForIndex, type ExportedFile, type ReadFile } from '../../core/analysis/lang/c/workspaceIndex';
import { GoPackages } from '../../core/analysis/goPackages';
import { JavaProject } from '../../core/analysis/javaProject';
import { PythonProject } from '../../core/analysis/pythonProject';
import { fixAllPaths } from '../../core/analysis/fixAll';
import type { FixAllResult } from '../../core/analysis/fixAll';
import { FixNotWritten, writeFix } from '../../core/analysis/fileio/writeFix';
import { toSarif } from '../../core/analysis/sarif';
import { discoverSources, loadSourceAsync } from '../../core/analysis/workspace';
import { addHeaderMacros, isHeader, type MacroTable } from '../../core/analysis/lang/c/workspaceMacros';
import type { LoadedSource, SourceFile } from '../../core/analysis/workspace';
import { plural } from '../../core/model/plural';
import * as fs from 'fs';
import * as os from 'os';
import type { Tree } from 'web-tree-sitter';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import type { CliCommand, CliIo } from '../io';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from '../io';

const USAGE = 'Usage: sockscope check <files or folders…> [--format text|json|sarif] [--fix] [--ownership-transfer NAME]... [--workspace DIR]... [--jobs N]';
const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];
/** How many files are being read while one is analysed. */
const READ_AHEAD = 8;

export interface CheckOptions {
  readonly paths: string[];
  readonly format: Format;
  readonly fix: boolean;
  readonly ownershipTransfers: string[];
  /** More folders whose C/C++ functions are indexed for summaries (the checked files and folders always are). */
  readonly workspace: string[];
  /** Files analysed at once (worker threads; 1: in this thread). Absent: the available cores. --fix always runs one at a time. */
  readonly jobs?: number;
}

/** One finding in `--format json` (1-based lines and columns; the end column is exclusive). */
export interface FindingJson {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly function: string;
  readonly variable: string;
  readonly acquiredLine: number;
  readonly ruleId: string;
  /** 'information': a leak only if a call that practically never fails fails (see Severity). */
  readonly severity: 'warning' | 'information';
  readonly message: string;
}

/** The options, or a usage problem as a string (`'help'` for --help). */
export function parseCheckArgs(args: readonly string[]): CheckOptions | string {
  const paths: string[] = [];
  const ownershipTransfers: string[] = [];
  const workspace: string[] = [];
  let format: string = 'text';
  let fix = false;
  let jobs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const [name, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (name === '-h' || name === '--help') return 'help';
    else if (name === '--fix') {
      if (inline === undefined || inline === 'true') fix = true;
      else if (inline === 'false') fix = false;
      else return `--fix takes no value, or true or false (got '${inline}')`;
    }
    else if (name === '--format') {
      const v = value();
      if (v === undefined) return '--format needs a value (text, json or sarif)';
      format = v;
    } else if (name === '--ownership-transfer') {
      const v = value();
      if (!v) return '--ownership-transfer needs a function name';
      ownershipTransfers.push(v);
    } else if (name === '--workspace') {
      const v = value();
      if (!v) return '--workspace needs a folder';
      workspace.push(v);
    } else if (name === '--jobs' || name === '-j') {
      const v = value();
      if (v === undefined || !/^[1-9][0-9]{0,2}$/.test(v)) return `--jobs needs a whole number from 1 to 999 (got '${v ?? ''}')`;
      jobs = Number(v);
    } else if (a.startsWith('-') && a !== '-') return `unknown option '${a}'`;
    else paths.push(a);
  }
  if (!(FORMATS as readonly string[]).includes(format)) return `unknown format '${format}' (use text, json or sarif)`;
  if (paths.length === 0) return 'no files or folders given';
  return { paths, format: format as Format, fix, ownershipTransfers, workspace, ...(jobs !== undefined ? { jobs } : {}) };
}

export function toFindingJson(file: string, f: Finding): FindingJson {
  return {
    file,
    line: f.range.start.line + 1,
    column: f.range.start.column + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.column + 1,
    function: f.function,
    variable: f.variable,
    acquiredLine: f.acquired.start.line + 1,
    ruleId: f.ruleId,
    severity: f.severity ?? 'warning',
    message: f.message,
  };
}

function formatText(file: string, f: Finding): string {
  const level = f.severity === 'information' ? 'info' : 'warning';
  return `${file}:${f.range.start.line + 1}:${f.range.start.column + 1}: ${level}: ${f.message} [${f.ruleId}]\n`;
}


interface FileOutcome {
  readonly file: string;
  readonly findings: Finding[];
}

type Loaded = Extract<LoadedSource, { ok: true }>;

/**
 * Writes fix-all's result into the file (all or nothing) and says so. Returns the findings the file
 * has now, and whether writing failed (an I/O error: exit 2).
 */
function writeFixes(source: SourceFile, loaded: Loaded, fixed: FixAllResult, opts: CheckOptions, io: CliIo): { findings: Finding[]; failed: boolean } {
  const file = source.path;
  const notFixed = fixed.initial.findings;
  if (fixed.refused) {
    io.err(`sockscope check: ${file}: note: not fixed: ${fixed.refused}; the file is unchanged\n`);
    return { findings: notFixed, failed: false };
  }
  if (fixed.edits.length === 0) return { findings: fixed.remaining, failed: false };
  try {
    writeFix(file, source.root, loaded, fixed.edits);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof FixNotWritten) {
      io.err(`sockscope check: ${file}: note: not fixed: ${message}\n`);
      return { findings: notFixed, failed: false };
    }
    io.err(`sockscope check: ${file}: fix not written: ${message}\n`);
    return { findings: notFixed, failed: true };
  }
  const report = `fixed ${file}: ${plural(notFixed.length - fixed.remaining.length, 'finding')} (${plural(fixed.editsApplied, 'edit')})` +
    (fixed.remaining.length ? `, ${fixed.remaining.length} left` : '') + '\n';
  (opts.format === 'text' ? io.out : io.err)(report);
  return { findings: fixed.remaining, failed: false };
}

/** Analyses (and with --fix, repairs) one file; everything worth telling goes to stderr (or stdout for fix reports in text mode). */
async function checkFile(source: SourceFile, loaded: LoadedSource, opts: CheckOptions, io: CliIo, index: CWorkspaceIndex | undefined, cMacros: MacroTable, goPackages: GoPackages, javaProject: JavaProject, pythonProject: PythonProject): Promise<{ outcome: FileOutcome; failed: boolean } | 'skipped' | 'io-error'> {
  const file = source.path;
  if (!loaded.ok) {
    io.err(`sockscope check: ${loaded.note}\n`);
    return loaded.skipped ? 'skipped' : 'io-error';
  }
  const analysisOptions = { ownershipTransfers: opts.ownershipTransfers, cMacros };
  const workspace: SourceWorkspace | undefined = source.language === 'go' ? { go: goPackages, file: workspaceKey(file) }
    : source.language === 'java' ? { java: javaProject, file: workspaceKey(file) }
    : source.language === 'python' ? { python: pythonProject, file: workspaceKey(file) } : index ? { c: index, file: workspaceKey(file) } : undefined;
  const analyze = (text: string, language: LanguageId, options: AnalysisOptions) => analyzeSource(text, language, options, workspace);
  let result: AnalysisResult;
  let findings: Finding[];
  let failed = false;
  try {
    if (opts.fix) {
      const fixed = await fixAllPaths(loaded.text, source.language, analysisOptions, undefined, analyze);
      result = fixed.initial;
      ({ findings, failed } = writeFixes(source, loaded, fixed, opts, io));
      // The files checked after this one see its functions as they are now.
      if (index && workspace && fixed.edits.length && !failed && (source.language === 'c' || source.language === 'cpp')) await index.update(workspace.file, fixed.text, source.language);
    } else {
      result = await analyze(loaded.text, source.language, analysisOptions);
      findings = result.findings;
    }
  } catch (e) {
    // The analyzers promise not to throw; if one does anyway, report the file and carry on with the others.
    io.err(`sockscope check: ${file}: skipped: ${e instanceof Error ? e.message : String(e)}\n`);
    return (e as NodeJS.ErrnoException).code ? 'io-error' : 'skipped';
  }
  // Every analyzer gives the syntax note itself (SYNTAX_ERRORS_NOTE); said once per file.
  if (result.hadParseErrors && !result.notes.includes(SYNTAX_ERRORS_NOTE)) io.err(`sockscope check: ${file}: note: ${SYNTAX_ERRORS_NOTE}\n`);
  for (const n of result.notes) io.err(`sockscope check: ${file}: note: ${n}\n`);
  return { outcome: { file, findings }, failed };
}

/** The macros the C/C++ headers among the files define (read once, before any file is analysed). */
async function headersMacros(files: readonly SourceFile[]): Promise<MacroTable> {
  const table: MacroTable = new Map();
  for (const f of files) {
    if ((f.language !== 'c' && f.language !== 'cpp') || !isHeader(f.path)) continue;
    const loaded = await loadSourceAsync(f.path);
    if (loaded.ok) await addHeaderMacros(table, loaded.text, f.language);
  }
  return table;
}

/** Syntax trees the CLI's C/C++ index keeps (a tree costs about 1–5 MB of memory; past these, a file is parsed again when needed). */
const CLI_KEPT_TREES = 256;

type FileResult = { outcome: FileOutcome; failed: boolean } | 'skipped' | 'io-error';

/** What every file's analysis shares: the headers' macros, the C/C++ workspace index, Go packages, the Java project and the Python project. */
interface Shared {
  readonly cMacros: MacroTable;
  readonly index: CWorkspaceIndex | undefined;
  readonly goPackages: GoPackages;
  readonly javaProject: JavaProject;
  readonly pythonProject: PythonProject;
}

/**
 * Reads the headers' macros and indexes every C/C++ function of `files` and `extra` (the --workspace
 * folders' other files) for the summaries, under the same macros as the analysis (the same
 * configurations, see workspaceIndex.ts). Workers get the same macros and build the same index (runCheckWorker), so every thread sees the same workspace.
 */
async function prepare(files: readonly SourceFile[], extra: readonly SourceFile[], opts: CheckOptions): Promise<Shared> {
  const cMacros = await headersMacros(files);
  let index: CWorkspaceIndex | undefined;
  if (hasC(files)) {
    // One run over a known set of files: the trees of up to CLI_KEPT_TREES files are kept (parsed once for the index and the analysis).
    index = new CWorkspaceIndex(opts.ownershipTransfers, cMacros, CLI_KEPT_TREES);
    await indexFiles(index, [...files, ...extra]);
  }
  return sharedWith(cMacros, index);
}

/** The shared state of a run (this thread's or a worker's) around its macros and C/C++ index. */
function sharedWith(cMacros: MacroTable, index: CWorkspaceIndex | undefined): Shared {
  // Go files see the declarations of the other files of their package, Java files the resource classes
  // of their project's other files (both read when first needed).
  return { cMacros, index, goPackages: new GoPackages(), javaProject: new JavaProject(), pythonProject: new PythonProject() };
}

function hasC(files: readonly SourceFile[]): boolean {
  return files.some((f) => f.language === 'c' || f.language === 'cpp');
}

/**
 * Checks files[i] for each i of `which` (ascending), one after the other; `done` gets each result and
 * `ioOf(i)` says where its messages go. Files are read a few ahead of the one being analysed, so disk
 * waits overlap with analysis.
 */
async function checkFiles(files: readonly SourceFile[], which: readonly number[], opts: CheckOptions, shared: Shared, ioOf: (i: number) => CliIo, done: (i: number, r: FileResult) => void): Promise<void> {
  const reads = new Map<number, Promise<LoadedSource>>();
  const readAhead = (k: number) => {
    const i = which[k];
    if (i !== undefined && !reads.has(i)) reads.set(i, loadSourceAsync(files[i]!.path));
  };
  for (let k = 0; k < which.length; k++) {
    for (let j = k; j < k + READ_AHEAD; j++) readAhead(j);
    const i = which[k]!;
    const loaded = await reads.get(i)!;
    reads.delete(i);
    done(i, await checkFile(files[i]!, loaded, opts, ioOf(i), shared.index, shared.cMacros, shared.goPackages, shared.javaProject, shared.pythonProject));
  }
}

/** The number of files analysed at once: --jobs, else the cores this process may use. */
function jobsFor(opts: CheckOptions): number {
  if (opts.jobs !== undefined) return opts.jobs;
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Splits the files among `jobs` threads, fixed by the files alone (so a run's output never depends on
 * which thread finished first): largest first, each to the thread with the fewest bytes so far; each
 * thread's files in their order. Empty shares are left out.
 */
export function shareFiles(sizes: readonly number[], jobs: number): number[][] {
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  const loads = new Array<number>(jobs).fill(0);
  const shares = Array.from({ length: jobs }, (): number[] => []);
  for (const i of order) {
    let w = 0;
    for (let k = 1; k < jobs; k++) if (loads[k]! < loads[w]!) w = k;
    shares[w]!.push(i);
    loads[w]! += sizes[i]! + 1;
  }
  return shares.filter((s) => s.length > 0).map((s) => s.sort((a, b) => a - b));
}

/** What a check worker is given (workerData). */
interface CheckWorkerData {
  readonly kind: 'sockscope-check';
  readonly files: readonly SourceFile[];
  readonly opts: CheckOptions;
  /** The files (indices in `files`) this worker checks. */
  readonly share: readonly number[];
  /** The C/C++ files of the workspace index, in the order they are indexed, and those (indices) this worker reads. */
  readonly indexed: readonly SourceFile[];
  readonly reads: readonly number[];
}

/** A file of the index as one worker read it (absent `data`: skipped, unreadable or binary). */
interface IndexedByWorker {
  readonly k: number;
  readonly data?: ExportedFile;
}

/**
 * A worker's messages: the index files it read (`read`, once, when there are C/C++ files), then one
 * per file of its share (in order, with what it wrote), then `done`. The calling thread sends each
 * worker the headers' macros once it has read them (`macros`, first: the workers start before, and
 * meanwhile parse their index files' texts), then every worker's `read` files once all have read
 * theirs (`workspace`).
 */
type CheckWorkerMessage =
  | { readonly read: readonly IndexedByWorker[] }
  | { readonly i: number; readonly result: FileResult; readonly messages: readonly (readonly ['out' | 'err', string])[] }
  | { readonly done: true };

/**
 * In a check worker: reads its part of the workspace index, and once it has every worker's, builds
 * the index the calling thread would build (the same files in the same order, each read the same way:
 * workspaceIndex.ts `read`/`adopt`); then checks its share and posts each result.
 */
async function runCheckWorker(data: CheckWorkerData): Promise<void> {
  const port = parentPort!;
  const { files, opts } = data;
  let macrosRead: MacroTable | undefined;
  const macros = new Promise<MacroTable>((resolve) => port.once('message', (m: { macros: MacroTable }) => resolve((macrosRead = m.macros))));
  let index: CWorkspaceIndex | undefined;
  // While the calling thread reads the headers' macros: the texts of this worker's index files, each
  // parsed as the index parses it first (which needs no macros), up to as many as the index keeps trees.
  const early = new Map<number, { text: string | undefined; tree?: Tree }>();
  if (hasC(files)) {
    for (const k of data.reads) {
      if (macrosRead || early.size >= CLI_KEPT_TREES) break;
      const f = data.indexed[k]!;
      const text = await loadIndexable(f.path);
      let tree: Tree | undefined;
      try {
        tree = text === undefined ? undefined : await parseForIndex(text, f.language as 'c' | 'cpp');
      } catch {
        tree = undefined; // parsed again by `read`, which then fails the same way
      }
      early.set(k, { text, tree });
    }
  }
  const cMacros = await macros;
  if (hasC(files)) {
    index = new CWorkspaceIndex(opts.ownershipTransfers, cMacros, CLI_KEPT_TREES);
    const workspace = new Promise<readonly IndexedByWorker[]>((resolve) => port.once('message', (m: { workspace: readonly IndexedByWorker[] }) => resolve(m.workspace)));
    const mine = new Map<number, ReadFile>();
    const read: IndexedByWorker[] = [];
    for (const k of data.reads) {
      const f = data.indexed[k]!;
      const pre = early.get(k);
      early.delete(k);
      const text = pre ? pre.text : await loadIndexable(f.path);
      let r: ReadFile | undefined;
      // As indexFiles (cWorkspace.ts): unreadable, huge, binary and failing files are left out.
      if (text !== undefined) {
        try {
          r = await index.read(workspaceKey(f.path), text, f.language as 'c' | 'cpp', pre?.tree);
        } catch {
          r = undefined;
        }
      }
      if (r) mine.set(k, r);
      read.push(r ? { k, data: CWorkspaceIndex.exported(r) } : { k });
    }
    port.postMessage({ read } satisfies CheckWorkerMessage);
    const all = new Map((await workspace).map((x) => [x.k, x.data]));
    for (let k = 0; k < data.indexed.length; k++) {
      const own = mine.get(k);
      const other = all.get(k);
      if (own) index.install(own);
      else if (other) await index.adopt(other);
    }
  }
  const shared = sharedWith(cMacros, index);
  const messages = new Map<number, ['out' | 'err', string][]>();
  const ioOf = (i: number): CliIo => {
    const m: ['out' | 'err', string][] = [];
    messages.set(i, m);
    return { out: (t) => m.push(['out', t]), err: (t) => m.push(['err', t]), interrupted: new Promise(() => undefined) };
  };
  await checkFiles(files, data.share, opts, shared, ioOf, (i, result) => {
    port.postMessage({ i, result, messages: messages.get(i) ?? [] } satisfies CheckWorkerMessage);
    messages.delete(i);
  });
  index?.dispose();
  port.postMessage({ done: true } satisfies CheckWorkerMessage);
}

if (!isMainThread && (workerData as Partial<CheckWorkerData> | null)?.kind === 'sockscope-check') {
  // A failure rejects unhandled: the worker stops with an 'error' the calling thread turns into the run's error.
  void runCheckWorker(workerData as CheckWorkerData);
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Checks the files in worker threads, one per share (this module's file is the workers' script: the CLI
 * bundle, or check.js in a test build). Each worker reads the index files it checks, and a part of the
 * others (--workspace files, by size); all of them then get every worker's. Results and messages are
 * delivered in file order, as a run in one thread gives them.
 */
async function checkInWorkers(files: readonly SourceFile[], extra: readonly SourceFile[], sizes: readonly number[], shares: readonly (readonly number[])[], opts: CheckOptions, io: CliIo, done: (i: number, r: FileResult) => void): Promise<void> {
  const withIndex = hasC(files);
  const indexed = withIndex ? indexOrder([...files, ...extra]) : [];
  // Who reads each index file: the worker that checks it, else the one with the fewest bytes to read so far.
  const owner = new Map<string, number>();
  shares.forEach((share, w) => share.forEach((i) => owner.set(workspaceKey(files[i]!.path), w)));
  const reads = shares.map((): number[] => []);
  const loads = shares.map((share) => share.reduce((n, i) => n + sizes[i]!, 0));
  indexed.forEach((f, k) => {
    let w = owner.get(workspaceKey(f.path));
    if (w === undefined) {
      w = 0;
      for (let x = 1; x < shares.length; x++) if (loads[x]! < loads[w]!) w = x;
      loads[w]! += sizeOf(f.path);
    }
    reads[w]!.push(k);
  });

  const results = new Array<Extract<CheckWorkerMessage, { i: number }> | undefined>(files.length);
  let next = 0;
  const deliver = () => {
    for (let m = results[next]; m; m = results[next]) {
      for (const [stream, text] of m.messages) (stream === 'out' ? io.out : io.err)(text);
      done(next, m.result);
      results[next++] = undefined;
    }
  };
  const workers: Worker[] = [];
  const read: IndexedByWorker[][] = [];
  const sendWorkspace = () => {
    if (read.filter(Boolean).length < workers.length) return;
    const workspace = read.flat();
    for (const w of workers) w.postMessage({ workspace });
  };
  try {
    const running = Promise.all(shares.map((share, w) => new Promise<void>((resolve, reject) => {
      const data: CheckWorkerData = { kind: 'sockscope-check', files, opts, share, indexed, reads: reads[w]! };
      const worker = new Worker(__filename, { workerData: data });
      workers.push(worker);
      let finished = false;
      worker.on('message', (m: CheckWorkerMessage) => {
        if ('done' in m) {
          finished = true;
          resolve();
        } else if ('read' in m) {
          read[w] = [...m.read];
          sendWorkspace();
        } else {
          results[m.i] = m;
          deliver();
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (!finished) reject(new Error(`analysis worker stopped (exit code ${code}) before checking its files`));
      });
    })));
    // Every worker analyses under the same headers' macros: read here once, not once per worker, while
    // the workers start and parse their index files.
    running.catch(() => undefined); // awaited below; a worker failing meanwhile is not an unhandled rejection
    const cMacros = await headersMacros(files);
    for (const w of workers) w.postMessage({ macros: cMacros });
    await running;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (next !== files.length) throw new Error(`analysis workers returned ${next} of ${files.length} files`);
}

export const checkCommand: CliCommand = async (args, io) => {
  const opts = parseCheckArgs(args);
  if (opts === 'help') {
    io.out(USAGE + '\n');
    return EXIT_OK;
  }
  if (typeof opts === 'string') {
    io.err(`sockscope check: ${opts}. ${USAGE}\n`);
    return EXIT_USAGE;
  }
  const discovery = discoverSources(opts.paths);
  let ioError = discovery.errors.length > 0;
  for (const e of discovery.errors) io.err(`sockscope check: ${e}\n`);
  for (const n of discovery.notes) io.err(`sockscope check: ${n}\n`);

  const files = discovery.files;
  // The --workspace folders' other C/C++ files, indexed for the summaries (the checked files always are).
  let extra: SourceFile[] = [];
  if (hasC(files)) {
    const found = discoverSources(opts.workspace);
    for (const e of found.errors) io.err(`sockscope check: --workspace ${e}\n`);
    const seen = new Set(files.map((f) => workspaceKey(f.path)));
    extra = found.files.filter((f) => !seen.has(workspaceKey(f.path)));
  }

  const outcomes: FileOutcome[] = [];
  // Every note of the discovery is a path it skipped (not a source file, not a regular file, a broken link).
  let skipped = discovery.notes.length;
  const done = (_i: number, r: FileResult) => {
    if (r === 'io-error') ioError = true;
    else if (r === 'skipped') skipped++;
    else {
      outcomes.push(r.outcome);
      if (r.failed) ioError = true;
    }
  };
  // --fix runs in this thread: a fixed file's functions are re-indexed for the files checked after it.
  const jobs = opts.fix ? 1 : Math.min(jobsFor(opts), files.length);
  if (jobs > 1) {
    const sizes = files.map((f) => sizeOf(f.path));
    await checkInWorkers(files, extra, sizes, shareFiles(sizes, jobs), opts, io, done);
  } else {
    const shared = await prepare(files, extra, opts);
    await checkFiles(files, files.map((_, i) => i), opts, shared, () => io, done);
  }

  const total = outcomes.reduce((n, o) => n + o.findings.length, 0);
  if (opts.format === 'json') {
    io.out(JSON.stringify(outcomes.flatMap((o) => o.findings.map((f) => toFindingJson(o.file, f))), null, 2) + '\n');
  } else if (opts.format === 'sarif') {
    io.out(JSON.stringify(toSarif(outcomes), null, 2) + '\n');
  } else {
    for (const o of outcomes) for (const f of o.findings) io.out(formatText(o.file, f));
    const withFindings = outcomes.filter((o) => o.findings.length > 0).length;
    const checked = `${plural(outcomes.length, 'file')} checked` + (skipped ? `, ${skipped} skipped` : '');
    io.out(total ? `${plural(total, 'finding')} in ${plural(withFindings, 'file')} (${checked})\n` : `No leaks found (${checked})\n`);
  }
  if (ioError) return EXIT_USAGE;
  // Findings below warning severity are listed but do not fail the check.
  return outcomes.some((o) => o.findings.some((f) => f.severity !== 'information')) ? EXIT_FINDINGS : EXIT_OK;
};
