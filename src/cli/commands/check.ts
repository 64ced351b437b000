// `sockscope check <files or folders…> [--format text|json|sarif] [--fix] [--ownership-transfer NAME]...
// [--workspace DIR]...`: finds descriptor/socket leaks in C, C++, Python, Go and Java sources, for
// terminals, scripts (JSON) and GitHub code scanning (SARIF). With --fix, writes the "close on all paths"
// fixes into the files. C/C++ files are analysed with the summaries of every C/C++ function in the
// files and folders checked and in each --workspace folder (wrappers, owners, releasing macros).

import { analyzeSource } from '../../core/analysis';
import type { AnalysisOptions, AnalysisResult, Finding, LanguageId, SourceWorkspace } from '../../core/analysis';
import { indexFiles, workspaceKey } from '../../core/analysis/cWorkspace';
import { CWorkspaceIndex } from '../../core/analysis/lang/c/workspaceIndex';
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
import type { CliCommand, CliIo } from '../io';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from '../io';

const USAGE = 'Usage: sockscope check <files or folders…> [--format text|json|sarif] [--fix] [--ownership-transfer NAME]... [--workspace DIR]...';
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
    } else if (a.startsWith('-') && a !== '-') return `unknown option '${a}'`;
    else paths.push(a);
  }
  if (!(FORMATS as readonly string[]).includes(format)) return `unknown format '${format}' (use text, json or sarif)`;
  if (paths.length === 0) return 'no files or folders given';
  return { paths, format: format as Format, fix, ownershipTransfers, workspace };
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
  if (result.hadParseErrors) io.err(`sockscope check: ${file}: note: syntax errors; only the parts that parsed were analysed\n`);
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

  // Every C/C++ function of the checked files and the --workspace folders, for the summaries.
  // The index reads each file under the same macros as its analysis (the same configurations, see workspaceIndex.ts).
  const cMacros = await headersMacros(discovery.files);
  let index: CWorkspaceIndex | undefined;
  if (discovery.files.some((f) => f.language === 'c' || f.language === 'cpp')) {
    // One run over a known set of files: the trees of up to CLI_KEPT_TREES files are kept (parsed once for the index and the analysis).
    index = new CWorkspaceIndex(opts.ownershipTransfers, cMacros, CLI_KEPT_TREES);
    const extra = discoverSources(opts.workspace);
    for (const e of extra.errors) io.err(`sockscope check: --workspace ${e}\n`);
    const seen = new Set(discovery.files.map((f) => workspaceKey(f.path)));
    await indexFiles(index, [...discovery.files, ...extra.files.filter((f) => !seen.has(workspaceKey(f.path)))]);
  }

  const outcomes: FileOutcome[] = [];
  let skipped = 0;
  // Go files see the declarations of the other files of their package (read when first needed).
  const goPackages = new GoPackages();
  // Java files see the resource classes of their project's other files (read when first needed).
  const javaProject = new JavaProject();
  // Python files see what the functions of the project modules they import return (read when first needed).
  const pythonProject = new PythonProject();
  // Files are read a few ahead of the one being analysed, so disk waits overlap with analysis.
  const files = discovery.files;
  const reads = new Map<number, Promise<LoadedSource>>();
  const readAhead = (i: number) => {
    if (i < files.length && !reads.has(i)) reads.set(i, loadSourceAsync(files[i]!.path));
  };
  for (let i = 0; i < files.length; i++) {
    for (let j = i; j < i + READ_AHEAD; j++) readAhead(j);
    const loaded = await reads.get(i)!;
    reads.delete(i);
    const r = await checkFile(files[i]!, loaded, opts, io, index, cMacros, goPackages, javaProject, pythonProject);
    if (r === 'io-error') ioError = true;
    else if (r === 'skipped') skipped++;
    else {
      outcomes.push(r.outcome);
      if (r.failed) ioError = true;
    }
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
