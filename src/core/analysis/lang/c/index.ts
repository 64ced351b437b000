import type { Node, Tree } from 'web-tree-sitter';
import { LineIndex } from '../../edits';
import { withTree } from '../../parser';
import type { AnalysisOptions, AnalysisResult, CMacroDefinition, Finding, Fix } from '../../types';
import { CFileContext, type CWorkspace } from './context';
import { macroWrappers } from './macroWrappers';
import { ACQUIRE } from './names';
import type { FileScan } from './scan';
import { FunctionAnalysis } from '../../engine/analysis';
import { leakFinding, overwriteFinding, ownTokens, type FindingBody } from '../../engine/findings';
import { FixPlanner, projectCloser, type FileFixContext } from './fixes';
import { FunctionCache } from '../../engine/functionCache';
import { FileReuse, functionKey } from '../../engine/reuse';
import { Placement } from '../../fix/placement';
import { fileMacros } from './macros';
import { applyRewrites, configurations } from './preproc';
import { macroRewrites } from './macroRewrites';
import { scanFile } from './scan';
import { functionName } from './syntax';

/**
 * C/C++ descriptor-leak analysis: for each function that acquires a descriptor, socket or
 * stream, a path-insensitive-but-guard-aware dataflow over its CFG finds the exits where one
 * is still open, and assignments that overwrite the only copy of an open one.
 */
export async function analyzeC(text: string, language: 'c' | 'cpp', options: AnalysisOptions, workspace?: CWorkspace): Promise<AnalysisResult> {
  try {
    // The index holds a file in its first configuration (see workspaceIndex.ts).
    const exact = workspace && { ...workspace, exact: workspace.index.holds(workspace.file, text, language) };
    const first = await withTree(language, text, (tree) => {
      const configs = configurations(tree.rootNode, text, language, options.cMacros);
      if (configs) return { configs };
      return tree.rootNode.hasError ? { configs: [text] } : { result: analyzeTree(tree, text, language, options, exact) };
    });
    if (first.result) return first.result;
    const results: AnalysisResult[] = [];
    for (const [i, config] of first.configs!.entries()) {
      const ws = i === 0 ? exact : workspace;
      // Macro uses the grammar cannot read are rewritten where the configuration still does not parse.
      const r = await withTree(language, config, (tree) => {
        const rewrites = tree.rootNode.hasError ? macroRewrites(tree.rootNode, config, options.cMacros ?? NO_WORKSPACE_MACROS) : [];
        return rewrites.length ? { again: applyRewrites(config, rewrites) } : { result: analyzeTree(tree, text, language, options, ws) };
      });
      results.push(r.result ?? await withTree(language, r.again!, (tree) => analyzeTree(tree, text, language, options, ws)));
    }
    return results.length === 1 ? results[0]! : mergeConfigurations(language, results);
  } catch (e) {
    return { language, findings: [], hadParseErrors: false, notes: [`analysis failed: ${e instanceof Error ? e.message : String(e)}`] };
  }
}

const NO_WORKSPACE_MACROS: ReadonlyMap<string, CMacroDefinition> = new Map();

/**
 * The findings of every build configuration (see preproc.ts). A fix is kept only for a finding
 * that every configuration gives: an edit made for one build may be wrong in the other.
 */
function mergeConfigurations(language: 'c' | 'cpp', results: readonly AnalysisResult[]): AnalysisResult {
  const keyOf = (f: Finding): string =>
    `${f.ruleId}|${f.function}|${f.variable}|${f.range.start.line}:${f.range.start.column}|${f.acquired.start.line}:${f.acquired.start.column}`;
  const counts = new Map<string, number>();
  for (const r of results) for (const k of new Set(r.findings.map(keyOf))) counts.set(k, (counts.get(k) ?? 0) + 1);
  const findings: Finding[] = [];
  const taken = new Set<string>();
  for (const r of results) {
    for (const f of r.findings) {
      const k = keyOf(f);
      if (taken.has(k)) continue;
      taken.add(k);
      findings.push(counts.get(k) === results.length ? f : { ...f, fixes: [] });
    }
  }
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column || a.variable.localeCompare(b.variable));
  const notes = [...new Set(results.flatMap((r) => r.notes))];
  return { language, findings, hadParseErrors: results.some((r) => r.hadParseErrors), notes };
}

function analyzeTree(tree: Tree, text: string, language: 'c' | 'cpp', options: AnalysisOptions, workspace?: CWorkspace): AnalysisResult {
  const started = Date.now();
  const deadline = options.timeBudgetMs !== undefined ? started + options.timeBudgetMs : undefined;
  const root = tree.rootNode;
  const notes: string[] = [];
  const findings: Finding[] = [];
  const hadParseErrors = root.hasError;
  if (hadParseErrors) notes.push('the file has syntax errors; the parts that parsed were analysed');
  const scan = scanFile(root, language);
  const own = fileMacros(root);
  const macros = workspace ? workspace.index.macrosFor(own) : own;
  const ctx = new CFileContext(scan, options.ownershipTransfers ?? [], deadline, macros, workspace, () => macroWrappers(root));
  const lines = new LineIndex(text);
  const file: FileFixContext = { text, lines, place: new Placement(text, lines), root, language, scan };
  const functions = analysedFunctions(scan, ctx);
  const wsKey = workspace ? workspace.index.constantsKey() : '';
  // An unchanged function (same text, same callees, same file facts) is not analysed again.
  const reuse = new FileReuse(C_FUNCTIONS, lines, deadline);
  for (let i = 0; i < functions.length; i++) {
    if (deadline !== undefined && Date.now() > deadline) {
      notes.push(`time budget of ${options.timeBudgetMs} ms used up: ${functions.length - i} of ${functions.length} functions not analysed`);
      break;
    }
    const fn = functions[i]!;
    const name = fn.type === 'lambda_expression' ? '<lambda>' : (functionName(fn) ?? '<anonymous>');
    try {
      reuse.run(fn, cFunctionKey(fn, ctx, file, options, wsKey), (fnNotes) => ({
        findings: analyzeFunction(fn, name, ctx, file, language, deadline, fnNotes), reusable: true,
      }), { findings, notes });
    } catch (e) {
      notes.push(`function ${name}: not analysed (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column || a.variable.localeCompare(b.variable));
  return { language, findings, hadParseErrors, notes };
}

/**
 * The functions worth analysing: those that call an acquiring function, or a function (of the file or
 * the workspace) or macro whose summary says it returns a new descriptor.
 */
function analysedFunctions(scan: FileScan, ctx: CFileContext): Node[] {
  const direct = new Set(scan.acquiring);
  return scan.functions.filter((fn) => direct.has(fn) || (scan.effects.get(fn.id) ?? []).some((e) =>
    e.kind === 'call' && e.callee !== null && !ACQUIRE.has(e.callee) && ctx.mayAcquire(e.callee) && ctx.summary(e.callee)?.returns));
}

/** Results of C/C++ functions analysed before (per process: the editor's worker keeps it across edits). */
export const C_FUNCTIONS = new FunctionCache(2000);

/** Callees followed through same-file definitions for a function's key; past this, it is not cached. */
const MAX_KEYED_CALLEES = 64;

/**
 * Everything a function's findings and fixes depend on (see engine/reuse.ts): besides its text, the
 * file's headers and include position, the file's closing idiom and macros, and for each function it
 * calls (through same-file definitions, transitively) whether it returns and its definition.
 */
function cFunctionKey(fn: Node, ctx: CFileContext, file: FileFixContext, options: AnalysisOptions, workspaceConstants: string): string | null {
  const { scan } = file;
  const facts: string[] = [];
  const seen = new Set<string>();
  const queue: Node[] = [fn];
  let defs = 0;
  while (queue.length) {
    const f = queue.pop()!;
    for (const e of scan.effects.get(f.id) ?? []) {
      if (e.kind !== 'call' || !e.callee || seen.has(e.callee)) continue;
      seen.add(e.callee);
      const def = scan.definitions.get(e.callee);
      facts.push(`${e.callee}${ctx.isNoReturn(e.callee) ? '!' : ''}`);
      // A function of another file (or a macro): its summary, so that an edit there that changes it re-analyses this one.
      if (!def) {
        facts.push(ctx.summaryKey(e.callee));
        continue;
      }
      if (++defs > MAX_KEYED_CALLEES) return null;
      facts.push(def.text);
      queue.push(def);
    }
  }
  return functionKey(file.language, fn, file.text, options, [[...scan.headers].sort().join(','), String(scan.includeEnd),
    projectCloser(file) ?? '', macrosOf(file), workspaceConstants, facts.join('\u0001')]);
}

const macroKeys = new WeakMap<FileFixContext, string>();

/** The file's macro definitions (a macro may stand for a constant, a release or a return). */
function macrosOf(file: FileFixContext): string {
  let m = macroKeys.get(file);
  if (m === undefined) macroKeys.set(file, (m = file.root.descendantsOfType(['preproc_def', 'preproc_function_def']).map((d) => d?.text ?? '').join('\u0003')));
  return m;
}

function analyzeFunction(
  fn: Node, name: string, ctx: CFileContext, file: FileFixContext, language: 'c' | 'cpp', deadline: number | undefined, notes: string[],
): Finding[] {
  const cfg = ctx.cfgOf(fn);
  if (cfg.truncated) notes.push(`function ${name}: nesting too deep, inner parts treated as plain statements`);
  const analysis = new FunctionAnalysis(ctx.irOf(fn), ctx, 'report', deadline);
  analysis.run();
  if (!analysis.complete) notes.push(`function ${name}: too complex, analysis cut short`);
  // A function whose parse has errors is never edited: its text may not be what the tree says.
  const planner = fn.hasError ? null : new FixPlanner(file, fn, cfg, analysis);

  const out: { finding: FindingBody; fix: Fix | null }[] = [];
  for (const rec of analysis.leaks.values()) {
    const tokens = ownTokens(rec.tokens);
    if (!tokens) continue;
    const finding = leakFinding(rec, tokens, name, language, file.lines);
    // Returning from `main` ends the process, which closes every descriptor: such a leak is real
    // only in the pedantic sense (below warning severity), as at an `exit()` call.
    const atMainReturn = name === 'main' && !rec.origin && (rec.exit.kind === 'return' || rec.exit.kind === 'end');
    out.push({
      finding: atMainReturn ? { ...finding, severity: 'information', message: `${finding.message} (main() returns: the process exit closes it)` } : finding,
      fix: planner?.leakFix(rec) ?? null,
    });
  }
  for (const rec of analysis.overwrites.values()) {
    const tokens = ownTokens(rec.tokens);
    if (!tokens) continue;
    out.push({ finding: overwriteFinding(rec, tokens, name, language, file.lines), fix: planner?.overwriteFix(rec) ?? null });
  }
  // One all-paths fix per variable, shared by all of its findings: only when every one of them has a fix.
  const byVar = new Map<string, (Fix | null)[]>();
  for (const o of out) {
    const list = byVar.get(o.finding.variable) ?? [];
    list.push(o.fix);
    byVar.set(o.finding.variable, list);
  }
  const allPaths = new Map<string, Fix | null>();
  for (const [v, fixes] of byVar) allPaths.set(v, fixes.every((f) => f !== null) ? FixPlanner.allPaths(v, fixes as Fix[]) : null);
  return out.map(({ finding, fix }) => {
    const fixes: Fix[] = [];
    const all = allPaths.get(finding.variable);
    if (all) fixes.push(all);
    if (fix) fixes.push(fix);
    return { ...finding, fixes };
  });
}
