import { createHash } from 'crypto';
import type { Node, Tree } from 'web-tree-sitter';
import { LineIndex } from '../../edits';
import { withTree, type ReparseBase } from '../../parser';
import { sameLengthReplacements } from '../../reparse';
import { SYNTAX_ERRORS_NOTE } from '../../types';
import type { AnalysisOptions, AnalysisResult, CMacroDefinition, Finding, Fix } from '../../types';
import { CFileContext, type CWorkspace } from './context';
import { macroWrappers, type MacroWrapper } from './macroWrappers';
import { ACQUIRE, RELEASE } from './names';
import { ERRNO_SET_AFTER_SUCCESS } from './errnoAfterSuccess';
import type { FileScan } from './scan';
import type { Exit } from '../../ir/ir';
import { FunctionAnalysis } from '../../engine/analysis';
import { leakFinding, overwriteFinding, ownTokens, type FindingBody } from '../../engine/findings';
import { FixPlanner, projectCloser, type FileFixContext } from './fixes';
import { FunctionCache } from '../../engine/functionCache';
import { FileReuse, functionKey } from '../../engine/reuse';
import { Placement } from '../../fix/placement';
import { definitionNodes } from './definitions';
import { fileMacros, withTableHints, type FileMacros } from './macros';
import { applyRewrites, configurations } from './preproc';
import { repairRounds, type RepairMemo } from './syntaxRepairs';
import { mayGiveFindings } from './relevance';
import { saysCpp } from './cppHint';
import { scanFile } from './scan';
import { noReturnByMacro, noReturnMacroNames } from './noReturnFacts';
import { calleeName, functionName, parameters } from './syntax';
import { everyCallerExitsOn, returnedConstant, type CallerSource } from './callerExits';
import { callArgs } from '../../syntax';
import { validityKey } from './validityTests';
import { untouchedPair } from './untouchedPair';

/**
 * C/C++ descriptor-leak analysis: for each function that acquires a descriptor, socket or
 * stream, a path-insensitive-but-guard-aware dataflow over its CFG finds the exits where one
 * is still open, and assignments that overwrite the only copy of an open one.
 */
export async function analyzeC(text: string, language: 'c' | 'cpp', options: AnalysisOptions, workspace?: CWorkspace): Promise<AnalysisResult> {
  try {
    // The index's view of the file serves as it is only for the very text it read (see workspaceIndex.ts).
    const ws = (analysed: string): CWorkspace | undefined =>
      workspace && { ...workspace, exact: workspace.index.holdsAnalysed(workspace.file, analysed, language, options.ownershipTransfers) };
    // The index found the configurations of this text under the same macros already: no need to parse it for them.
    const known = workspace?.index.configurationsOf(workspace.file, text, language, options.cMacros);
    let configs: readonly string[];
    // A tree of a text the configurations blank other parts of (the file's, or a configuration's): each
    // configuration not parsed yet is parsed from it (only the parts blanked differently are parsed again).
    let parsed: { tree: Tree; text: string } | undefined;
    // The relevance gate (relevance.ts): a file that can give no finding in any configuration, repaired or
    // not, needs no configurations, macro rewrites, syntax repairs nor analysis. Asked only where there is
    // such work to spare (build alternatives or parse errors), of the tree of the file's whole text.
    const gate = (tree: Tree): boolean => mayGiveFindings(tree.rootNode, language, options.cMacros, workspace);
    if (known !== undefined) {
      configs = known ?? [text];
      const kept = workspace!.index.kept(workspace!.file, configs[0]!, language);
      if (kept && known === null && kept.tree.rootNode.hasError && !gate(kept.tree)) return skipped(language);
      // The first configuration's names are the file's, blanked parts aside: one relevant name there is enough.
      if (kept && known !== null && !gate(kept.tree)) {
        const replacements = sameLengthReplacements(configs[0]!, text);
        const base = replacements ? { tree: kept.tree, text: configs[0]!, replacements } : undefined;
        if (!(await withTree(language, text, gate, base))) return skipped(language);
      }
    } else {
      const first = await withTree(language, text, (tree) => {
        const found = configurations(tree.rootNode, text, language, options.cMacros);
        if ((found || tree.rootNode.hasError) && !gate(tree)) return { result: skipped(language) };
        if (found) return { configs: found, parsed: { tree: tree.copy(), text } };
        return tree.rootNode.hasError ? { configs: [text] } : { result: analyzeTree(tree, text, text, language, options, ws(text)) };
      });
      if (first.result) return first.result;
      configs = first.configs!;
      parsed = first.parsed;
    }
    const results: AnalysisResult[] = [];
    let cpp = false;
    const table = options.cMacros ?? NO_WORKSPACE_MACROS;
    // Where the configuration still does not parse: first the macro uses the grammar cannot read are
    // rewritten (macroRewrites.ts), then what still fails is repaired by trial (syntaxRepairs.ts).
    // The configurations of a file share most items: an item repaired in one is not tried again in the next.
    const repairs: RepairMemo = new Map();
    const rounds = repairRounds(table, repairs);
    try {
      for (const config of configs) {
        type Step = { again?: { text: string; round: number; from: ReparseBase }; result?: AnalysisResult };
        const step = (tree: Tree, current: string, round: number, known?: KnownFile): Step => {
          for (let k = round; k < rounds.length && tree.rootNode.hasError; k++) {
            const rewrites = rounds[k]!(tree.rootNode, current);
            // The rewritten text is parsed from this tree: only what the rewrites touched is parsed again.
            if (rewrites.length) return { again: { text: applyRewrites(current, rewrites), round: k + 1, from: { tree: tree.copy(), text: current, replacements: rewrites } } };
          }
          if (language === 'c' && tree.rootNode.hasError) cpp ||= saysCpp(tree.rootNode);
          return { result: analyzeTree(tree, text, config, language, options, ws(current), known) };
        };
        // The index's own tree of this very text, when it kept it: not parsed nor scanned again.
        const kept = workspace?.index.kept(workspace.file, config, language);
        const base = !kept && parsed ? reparseBase(parsed, config) : undefined;
        let r = kept ? step(kept.tree, config, 0, kept) : await withTree(language, config, (tree) => step(tree, config, 0), base);
        if (!parsed && kept && configs.length > 1) parsed = { tree: kept.tree.copy(), text: config };
        while (r.again) {
          const { text: t, round, from } = r.again;
          try {
            r = await withTree(language, t, (tree) => step(tree, t, round), from);
          } finally {
            from.tree.delete();
          }
        }
        results.push(r.result!);
      }
    } finally {
      parsed?.tree.delete();
    }
    // A header taken as C that is C++ (cppHint.ts): analysed as C++ when that parses.
    if (cpp) {
      const asCpp = await analyzeC(text, 'cpp', options, workspace);
      if (!asCpp.hadParseErrors && !asCpp.notes.some((n) => n.startsWith('analysis failed'))) return asCpp;
    }
    return results.length === 1 ? results[0]! : mergeConfigurations(language, results);
  } catch (e) {
    return { language, findings: [], hadParseErrors: false, notes: [`analysis failed: ${e instanceof Error ? e.message : String(e)}`] };
  }
}

/** The result for a file the relevance gate skips: no findings, and no syntax note (relevance.ts says why). */
function skipped(language: 'c' | 'cpp'): AnalysisResult {
  return { language, findings: [], hadParseErrors: false, notes: [] };
}

/** How to parse `text` from a tree of a text of the same length (see sameLengthReplacements). */
function reparseBase(parsed: { tree: Tree; text: string }, text: string): ReparseBase | undefined {
  const replacements = sameLengthReplacements(parsed.text, text);
  return replacements ? { ...parsed, replacements } : undefined;
}

/** The scan and macros of a tree read already (the workspace index's, of the same text). */
interface KnownFile {
  readonly scan: FileScan;
  readonly own: FileMacros;
  /** The tree's call-like macros, when the index read them already. */
  readonly wrappers?: readonly MacroWrapper[];
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

/**
 * The scan, with the functions the tree declares through a `noreturn` macro (noReturnFacts.ts): `root`
 * is repaired from `config` (the configuration's text, where the macro is still written); `text`, the
 * file's, says which macros stand for `noreturn`.
 */
function withNoReturnMacros(scan: FileScan, root: Node, text: string, config: string, table: ReadonlyMap<string, CMacroDefinition> | undefined): FileScan {
  const macros = noReturnMacroNames(text, table);
  if (macros.length) for (const n of noReturnByMacro(root, config, macros)) scan.noReturn.add(n);
  return scan;
}

/** `config`: the text of the configuration `tree` was repaired from (the file's `text` when it has none). */
function analyzeTree(
  tree: Tree, text: string, config: string, language: 'c' | 'cpp', options: AnalysisOptions, workspace?: CWorkspace, known?: KnownFile,
): AnalysisResult {
  const started = Date.now();
  const deadline = options.timeBudgetMs !== undefined ? started + options.timeBudgetMs : undefined;
  const root = tree.rootNode;
  const scan = known?.scan ?? withNoReturnMacros(scanFile(root, language), root, text, config, options.cMacros);
  const own = known?.own ?? fileMacros(root);
  const macros = withTableHints(workspace ? workspace.index.macrosFor(own) : own, options.cMacros, root.tree.language);
  const wrappers = known?.wrappers;
  const ctx = new CFileContext(scan, options.ownershipTransfers ?? [], deadline, macros, workspace, () => wrappers ?? macroWrappers(root), options.cMacros);
  // The index lowers this file's functions for their summaries here, on this tree (see workspaceIndex.ts).
  if (workspace?.exact) workspace.index.lend(workspace.file, ctx);
  try {
    return analyzeFunctions(ctx, scan, root, text, language, options, workspace, deadline);
  } finally {
    if (workspace?.exact) workspace.index.lend(workspace.file, undefined);
  }
}

function analyzeFunctions(
  ctx: CFileContext, scan: FileScan, root: Node, text: string, language: 'c' | 'cpp', options: AnalysisOptions, workspace: CWorkspace | undefined,
  deadline: number | undefined,
): AnalysisResult {
  const notes: string[] = [];
  const findings: Finding[] = [];
  const hadParseErrors = root.hasError;
  if (hadParseErrors) notes.push(SYNTAX_ERRORS_NOTE);
  const lines = new LineIndex(text);
  const file: FileFixContext = { text, lines, place: new Placement(text, lines), root, language, scan };
  const functions = analysedFunctions(scan, ctx);
  const wsKey = workspace ? workspace.index.constantsKey() : '';
  // An unchanged function (same text, same callees, same file facts) is not analysed again.
  // The summaries a cached result asked for are checked again when it is looked up (not part of its key).
  const reuse = new FileReuse(C_FUNCTIONS, lines, deadline, (name) => ctx.summaryKey(name));
  for (let i = 0; i < functions.length; i++) {
    if (deadline !== undefined && Date.now() > deadline) {
      notes.push(`time budget of ${options.timeBudgetMs} ms used up: ${functions.length - i} of ${functions.length} functions not analysed`);
      break;
    }
    const fn = functions[i]!;
    const name = fn.type === 'lambda_expression' ? '<lambda>' : (functionName(fn) ?? '<anonymous>');
    try {
      reuse.run(fn, cFunctionKey(fn, ctx, file, options, wsKey), (fnNotes) => {
        const [found, asked] = ctx.recordingSummaries(() => analyzeFunction(fn, name, ctx, file, language, deadline, fnNotes));
        return { findings: found, reusable: true, inputs: () => asked };
      }, { findings, notes });
    } catch (e) {
      notes.push(`function ${name}: not analysed (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  demoteBeforeCallerExits(findings, ctx, root, text, lines);
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
    e.kind === 'call' && e.callee !== null && !ACQUIRE.has(e.callee) && ctx.mayAcquire(e.callee) && ctx.summary(e.callee)?.returns)
    || closesPlainParameter(fn, scan, ctx));
}

/** A `void` function that closes one of its plain parameters (a candidate for ownedParameterLeaks). */
function closesPlainParameter(fn: Node, scan: FileScan, ctx: CFileContext): boolean {
  if (!returnsVoid(fn)) return false;
  const plain = new Set(parameters(fn).filter((p) => p.name && !p.isPointer && !p.isArray).map((p) => p.name!));
  if (!plain.size) return false;
  return (scan.effects.get(fn.id) ?? []).some((e) => {
    if (e.kind !== 'call' || e.callee === null) return false;
    const args = callArgs(e.node);
    const i = args.findIndex((a) => a.type === 'identifier' && plain.has(a.text));
    if (i < 0) return false;
    if (RELEASE.has(e.callee)) return true;
    return !ACQUIRE.has(e.callee) && ctx.mayRelease(e.callee) && !!ctx.summary(e.callee)?.releases[i];
  });
}

function returnsVoid(fn: Node): boolean {
  return fn.type === 'function_definition' && fn.childForFieldName('type')?.text === 'void' && fn.childForFieldName('declarator')?.type === 'function_declarator';
}

/** Results of C/C++ functions analysed before (per process: the editor's worker keeps it across edits). */
export const C_FUNCTIONS = new FunctionCache(2000);

/** Callees followed through same-file definitions for a function's key; past this, it is not cached. */
const MAX_KEYED_CALLEES = 64;

/**
 * Everything a function's findings and fixes depend on (see engine/reuse.ts) but the summaries its
 * analysis asked for (stored beside its result and checked when it is looked up): besides its text,
 * the file's headers and include position, the file's closing idiom and macros, and for each function
 * it calls (through same-file definitions, transitively) whether it returns and its definition.
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
      // A macro call that exits by its arguments (processExit.ts): its expansion lives in the workspace's headers.
      if (e.kind === 'call' && e.callee && ctx.isNoReturnCall(e.node)) facts.push(`@${e.node.startIndex}!`);
      if (e.kind !== 'call' || !e.callee || seen.has(e.callee)) continue;
      seen.add(e.callee);
      const def = scan.definitions.get(e.callee);
      facts.push(`${e.callee}${ctx.isNoReturn(e.callee) ? '!' : ''}${def ? '' : validityKey(ctx.validityTest(e.callee))}`);
      if (!def) continue;
      if (++defs > MAX_KEYED_CALLEES) return null;
      facts.push(def.text);
      queue.push(def);
    }
  }
  return functionKey(file.language, fn, file.text, options, [[...scan.headers].sort().join(','), includePlace(file),
    projectCloser(file) ?? '', macrosOf(file), workspaceConstants, hintsOf(ctx), globalsOf(ctx), facts.join('\u0001')]);
}

const hintKeys = new WeakMap<CFileContext, string>();

/** The names the file reads as branch-prediction hints (the workspace table's included, which no other key part holds), once per file. */
function hintsOf(ctx: CFileContext): string {
  let h = hintKeys.get(ctx);
  if (h === undefined) hintKeys.set(ctx, (h = [...ctx.macros.hints].sort().join(',')));
  return h;
}

const globalKeys = new WeakMap<CFileContext, string>();

/** The file's followable globals and which of them the file assigns (globals.ts), once per file. */
function globalsOf(ctx: CFileContext): string {
  let g = globalKeys.get(ctx);
  if (g === undefined) globalKeys.set(ctx, (g = ctx.globals.signature()));
  return g;
}

const includePlaces = new WeakMap<FileFixContext, string>();

/**
 * Where an `#include` a fix adds goes (fix/imports.ts): the line and column just past the last include,
 * and whether a line break must come first. Not the offset: an edit above the includes' end that adds
 * no line (a space typed) moves the offset, not the inserted line, and must not make every key new.
 */
function includePlace(file: FileFixContext): string {
  let p = includePlaces.get(file);
  if (p === undefined) {
    const end = file.scan.includeEnd;
    const at = file.lines.position(end);
    const c = end > 0 ? file.text[end - 1] : '\n';
    includePlaces.set(file, (p = `${at.line}:${at.column}:${c === '\n' || c === '\r' ? '' : 'nl'}`));
  }
  return p;
}

const macroKeys = new WeakMap<FileFixContext, string>();

/** The file's macro definitions (a macro may stand for a constant, a release or a return). */
function macrosOf(file: FileFixContext): string {
  let m = macroKeys.get(file);
  // Hashed once per file: every function's key holds it.
  if (m === undefined) {
    const defs = definitionNodes(file.root).map((d) => d.text).join('\u0003');
    macroKeys.set(file, (m = createHash('sha1').update(defs).digest('hex')));
  }
  return m;
}

/**
 * A `void` function that closes a descriptor parameter on some path and hands it over (stores it, gives it
 * to an owner) on another takes the descriptor from its caller: the caller cannot tell which happened, so
 * it can neither use nor close it after the call. A normal return on which the parameter is still held
 * (neither closed nor handed over) then leaks it (tmux's `server_client_msg_identify` returned on a
 * non-tty `fd` it closed or kept on its other paths). Only plain (non-pointer) parameters, which the
 * function cannot have been given together with a way to report what it did; no quick fix is offered.
 */
function ownedParameterLeaks(fn: Node, name: string, ctx: CFileContext, language: 'c' | 'cpp', file: FileFixContext, deadline: number | undefined): FindingBody[] {
  if (name === 'main' || !returnsVoid(fn)) return [];
  const params = parameters(fn);
  const ir = ctx.irOf(fn);
  const named = new Set<string>();
  for (const node of ir.nodes) {
    for (const op of node.program.ops) {
      if (op.op === 'release' && op.ref.key) named.add(op.ref.key);
      if (op.op === 'summary') {
        const releases = ctx.summary(op.name)?.releases;
        op.refs.forEach((r, i) => r.key && releases?.[i] && named.add(r.key));
      }
    }
  }
  const candidates = params.map((p, i) => (p.name && !p.isPointer && !p.isArray && named.has(p.name) ? i : -1)).filter((i) => i >= 0);
  if (!candidates.length) return [];
  const analysis = new FunctionAnalysis(ir, ctx, 'summary', deadline);
  analysis.run();
  if (!analysis.complete) return [];
  const out: FindingBody[] = [];
  for (const i of candidates) {
    const d = analysis.paramDisposal(i);
    if (!d.released || !d.escaped) continue;
    for (const e of analysis.paramExits) {
      if (e.param !== i || e.exit.kind === 'throw') continue;
      const decl = params[i]!.node;
      const message = `\`${e.variable}\` (a parameter ${name}() closes or hands over on its other paths, so its caller no longer owns it) is not closed on this path`;
      out.push({
        ruleId: 'sockscope.leak', language, range: file.lines.range(e.exit.start, e.exit.end), function: name, variable: e.variable,
        acquired: file.lines.range(decl.startIndex, decl.endIndex),
        message: e.exit.unlikely ? `${message} (${unlikelyReason(e.exit)})` : message,
        ...(e.exit.unlikely ? { severity: 'information' as const } : {}),
        related: [{ range: file.lines.range(decl.startIndex, decl.endIndex), message: `\`${e.variable}\` is given to ${name}() here` }],
      });
    }
  }
  return out;
}

/** Why a leak at an unlikely exit (lower.ts) is below warning severity, for its message. */
function unlikelyReason(exit: Exit): string {
  if (exit.defensive !== undefined) {
    return `only if \`${exit.defensive}\` is NULL: a defensive test at the start of the function, before it does anything; not proof of a leak`;
  }
  if (exit.unlikelyBecause === ERRNO_SET_AFTER_SUCCESS) return `only if ${ERRNO_SET_AFTER_SUCCESS}`;
  return `only when ${exit.unlikelyBecause ?? 'a call that practically never fails'} fails`;
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
    // A return reached only when `dup2` onto a standard descriptor or `setenv` failed (lower.ts): its exit is unlikely.
    const afterDup2 = !rec.origin && !!rec.exit.unlikely;
    // A pipe or socket pair the function never touches after making it is kept open on purpose (untouchedPair.ts).
    const untouched = !atMainReturn && !afterDup2 && untouchedPair(fn, tokens);
    out.push({
      finding: atMainReturn ? { ...finding, severity: 'information', message: `${finding.message} (main() returns: the process exit closes it)` }
        : afterDup2 ? { ...finding, message: `${finding.message} (${unlikelyReason(rec.exit)})` }
        : untouched ? { ...finding, severity: 'information', message: `${finding.message} (the function never uses the pair after making it: kept open on purpose?)` } : finding,
      fix: planner?.leakFix(rec) ?? null,
    });
  }
  for (const rec of analysis.overwrites.values()) {
    const tokens = ownTokens(rec.tokens);
    if (!tokens) continue;
    out.push({ finding: overwriteFinding(rec, tokens, name, language, file.lines), fix: planner?.overwriteFix(rec) ?? null });
  }
  for (const finding of ownedParameterLeaks(fn, name, ctx, language, file, deadline)) out.push({ finding, fix: null });
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

/**
 * Leaks at a `return` of a failure constant that every caller of the function answers by ending the
 * process (callerExits.ts) are reported below warning severity, saying so. Decided after the functions'
 * analyses (and their cache, which keys a function by its own file only): the callers are in other files.
 */
function demoteBeforeCallerExits(findings: Finding[], ctx: CFileContext, root: Node, text: string, lines: LineIndex): void {
  const memo = new Map<string, boolean>();
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i]!;
    if (f.ruleId !== 'sockscope.leak' || (f.severity !== undefined && f.severity !== 'warning') || f.function === 'main') continue;
    const at = lines.offset(f.range.start);
    const ret = root.descendantForIndex(at, at + 6);
    const r = ret?.type === 'return' ? ret.parent : ret;
    if (r?.type !== 'return_statement' || r.startIndex !== at) continue;
    let def: Node | null = r.parent;
    while (def && def.type !== 'function_definition') def = def.parent;
    if (!def || functionName(def) !== f.function || def.type !== 'function_definition') continue;
    const named = (n: string): number | null => ctx.macros.constants.get(`=${n}`) ?? null;
    const value = returnedConstant(r, named);
    if (value === null) continue;
    const key = `${f.function}=${value}`;
    let exits = memo.get(key);
    if (exits === undefined) {
      const src: CallerSource = {
        own: { root, text }, path: ctx.path, others: (name) => ctx.filesMentioning(name),
        endsProcess: (call) => { const n = calleeName(call); return (!!n && ctx.isNoReturn(n)) || ctx.isNoReturnCall(call); },
        constant: named,
      };
      memo.set(key, (exits = everyCallerExitsOn(def, f.function, value, src)));
    }
    if (exits) {
      findings[i] = { ...f, severity: 'information', message: `${f.message} (every caller of ${f.function}() ends the process when it returns this: the exit closes it)` };
    }
  }
}
