/**
 * Go leak analysis: connections, listeners, files and HTTP response bodies that are not closed,
 * deferred closed or handed on (returned, sent, stored, given to a goroutine that closes them) on
 * every path after their error check. Each function is lowered to the shared IR (lower.ts) and
 * analysed by the one engine (../../engine); findings follow its convention (engine/findings.ts).
 */
import type { Node } from 'web-tree-sitter';
import { LineIndex } from '../../edits';
import { FunctionAnalysis, type LeakRecord } from '../../engine/analysis';
import { leakFinding, overwriteFinding, ownTokens, type FindingBody } from '../../engine/findings';
import type { Token } from '../../engine/values';
import { withTree } from '../../parser';
import { SYNTAX_ERRORS_NOTE } from '../../types';
import type { AnalysisOptions, AnalysisResult, Finding, Fix } from '../../types';
import { GoFileContext, hasAcquisition } from './context';
import { GoFixer } from './fixes';
import { isGateKey, variableOf, type LoweredFunction } from './lower';
import type { ResourceKind } from './names';
import { calledNames, collectImports, functionName, functionNodes, packageName } from './syntax';
import { GoTypes, type PackageDecls } from './types';
import { mergeDecls, type GoFileDecls } from './packageDecls';
import { FunctionCache } from '../../engine/functionCache';
import { CallInputs, FileReuse, functionKey } from '../../engine/reuse';

/** The resource kind of the leaking tokens (the first one's): a response is reported and closed through its `Body`. */
function kindOf(tokens: readonly Token[]): ResourceKind {
  return tokens[0]!.site.resource as ResourceKind;
}

function displayName(key: string, kind: ResourceKind): string {
  const name = variableOf(key);
  return kind === 'response' ? `${name}.Body` : name;
}

/**
 * A command's entry point, by the convention of Go's command-line libraries: a `Run` method (kong,
 * cobra-style command structs), a `run` function (what `main` calls), or a `cmdX` function (a
 * command table's entry), whose last result is an `error`. The error it returns ends the process.
 */
function isCommandEntry(fn: Node): boolean {
  if (fn.type !== 'function_declaration' && fn.type !== 'method_declaration') return false;
  const name = fn.childForFieldName('name')?.text ?? '';
  if (name !== 'Run' && name !== 'run' && !/^cmd[A-Z]/.test(name)) return false;
  const r = fn.childForFieldName('result');
  const last = r?.type === 'parameter_list' ? r.namedChildren.filter((c) => c?.type === 'parameter_declaration').at(-1)?.childForFieldName('type') : r;
  return last?.text === 'error';
}

/** Does the leak's exit return an error (a last value that is not `nil`)? A command ends the process on it. */
function returnsError(lowered: LoweredFunction, rec: LeakRecord): boolean {
  const exit = lowered.cfg.nodes[rec.node]?.exit;
  if (rec.exit.kind !== 'return' || exit?.node.type !== 'return_statement') return false;
  const values = exit.node.namedChildren[0];
  const last = values?.type === 'expression_list' ? values.namedChildren.at(-1) : values;
  return !!last && last.type !== 'nil';
}

/** Statement containers left for the next statement of their parent (the tail of an `if`, a `switch`'s case). */
const PASS_THROUGH = new Set(['if_statement', 'expression_switch_statement', 'type_switch_statement', 'select_statement', 'labeled_statement']);
const STATEMENT_LISTS = new Set(['block', 'statement_list', 'expression_case', 'default_case', 'type_case', 'communication_case']);

/**
 * Does leaving `n` (a block, or a statement, of `fn`) reach the end of `fn` with nothing run after it
 * and nothing repeating it? Each enclosing statement must be the last of its list, up to the body,
 * through no loop and no function literal.
 */
function leadsToEnd(n: Node, fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  for (let x: Node = n; x.id !== body.id;) {
    const p = x.parent;
    if (!p) return false;
    if (STATEMENT_LISTS.has(p.type)) {
      if (p.namedChildren.filter((c) => c && c.type !== 'comment').at(-1)?.id !== x.id) return false;
    } else if (!PASS_THROUGH.has(p.type)) return false;
    x = p;
  }
  return true;
}

/** Does the leak's exit end the function: its end, a return, or a scope left last with nothing after it? */
function endsFunction(lowered: LoweredFunction, rec: LeakRecord, fn: Node): boolean {
  if (rec.exit.kind === 'return' || rec.exit.kind === 'end') return true;
  const exit = lowered.cfg.nodes[rec.node]?.exit;
  return !!exit && (exit.kind === 'block' || exit.kind === 'if' || exit.kind === 'case') && leadsToEnd(exit.node, fn);
}

function analyzeFunction(fn: Node, ctx: GoFileContext, fixer: GoFixer | null, lines: LineIndex, notes: string[]): Finding[] {
  const name = functionName(fn);
  const lowered: LoweredFunction = ctx.lower(fn);
  const analysis = new FunctionAnalysis(lowered.ir, ctx, 'report', ctx.deadline);
  analysis.run();
  if (!analysis.complete && ctx.deadline !== undefined && Date.now() > ctx.deadline) ctx.timedOut = true;
  if (!analysis.complete || lowered.cfg.truncated) notes.push(`function ${name}: too complex, analysis cut short`);
  if (!analysis.complete) return [];
  const out: { finding: FindingBody; fix: Fix | null; key: string }[] = [];
  const byVariable = new Map<string, LeakRecord[]>();
  // Leaving `main` of package main ends the process, which closes everything: not a leak there (nor where
  // a last branch's scope ends right before main does).
  const endsProcess = fn.type === 'function_declaration' && name === 'main' && packageName(fn) === 'main';
  const command = isCommandEntry(fn);
  for (const rec of analysis.leaks.values()) {
    const tokens = ownTokens(rec.tokens);
    if (!tokens) continue;
    if (endsProcess && endsFunction(lowered, rec, fn)) continue;
    if (isGateKey(rec.variable)) continue;
    const kind = kindOf(tokens);
    const display = displayName(rec.variable, kind);
    const list = byVariable.get(rec.variable) ?? [];
    list.push(rec);
    byVariable.set(rec.variable, list);
    const finding = leakFinding({ ...rec, variable: display }, tokens, name, 'go', lines);
    out.push({
      finding: command && returnsError(lowered, rec) ? { ...finding, severity: 'information' } : finding,
      fix: fixer?.exitFix(lowered, analysis, rec, display, kind) ?? null, key: rec.variable,
    });
  }
  for (const rec of analysis.overwrites.values()) {
    const tokens = ownTokens(rec.tokens);
    if (!tokens || isGateKey(rec.variable)) continue;
    out.push({ finding: overwriteFinding({ ...rec, variable: displayName(rec.variable, kindOf(tokens)) }, tokens, name, 'go', lines), fix: null, key: rec.variable });
  }
  // One all-paths fix per variable, shared by all of its findings.
  const allPaths = new Map<string, Fix | null>();
  for (const [key, recs] of byVariable) {
    const tokens = ownTokens(new Set(recs.flatMap((r) => [...r.tokens])))!;
    const kind = kindOf(tokens);
    allPaths.set(key, fixer?.allPathsFix(lowered, analysis, recs, displayName(key, kind), kind) ?? null);
  }
  return out.map(({ finding, fix, key }) => {
    const all = finding.ruleId === 'sockscope.leak' ? allPaths.get(key) : null;
    return { ...finding, fixes: [...(all ? [all] : []), ...(fix ? [fix] : [])] };
  });
}

/** Results of Go functions analysed before (per process: the editor's worker keeps it across edits). */
export const GO_FUNCTIONS = new FunctionCache(2000);

/**
 * Analyses one Go file. `siblings`: the declarations of the other files of its folder (see
 * packageDecls.ts); those of the same package are used to know the types of helpers they declare.
 * `imported`: the declarations of the packages of its module that it imports, by import path (see
 * ../../goPackages.ts): helpers of another package returning a connection or a response are then
 * known by their declared results.
 */
export async function analyzeGo(text: string, options: AnalysisOptions, siblings: readonly GoFileDecls[] = [], imported: ReadonlyMap<string, PackageDecls> = new Map()): Promise<AnalysisResult> {
  const notes: string[] = [];
  const started = Date.now();
  const deadline = options.timeBudgetMs !== undefined ? started + options.timeBudgetMs : undefined;
  try {
    return await withTree('go', text, (tree) => {
      const root = tree.rootNode;
      const fns = functionNodes(root);
      const imports = collectImports(root);
      const own = packageName(root);
      const pkgFiles = siblings.filter((d) => d.packageName === own);
      const pkg = pkgFiles.length ? mergeDecls(pkgFiles) : null;
      const ctx = new GoFileContext(new GoTypes(root, imports, pkg, imported), imports, new Set(options.ownershipTransfers ?? []), fns, deadline);
      const lines = new LineIndex(text);
      const fixer = new GoFixer(text, (offset) => lines.position(offset).line);
      const findings: Finding[] = [];
      const seen = new Set<string>();
      // A function's result depends on its text, the file's imports and declarations and (through summaries) the
      // same-file functions and methods it calls, transitively.
      // Declared types (struct fields, signatures, package variables) decide which API a call is.
      const facts = [[...ctx.imports].map(([local, p]) => `${local}=${p}`).sort().join(','), ctx.types.fingerprint];
      const calls = new CallInputs((fn) => calledNames(fn, ctx.imports), (name) => ctx.definitions(name));
      const reuse = new FileReuse(GO_FUNCTIONS, lines, deadline, calls.current);
      for (const fn of fns) {
        if (deadline !== undefined && Date.now() > deadline) ctx.timedOut = true;
        if (ctx.timedOut) break;
        const out = { findings: [] as Finding[], notes };
        // A function's result is looked up before anything else about it is computed (one that
        // acquires nothing has an empty result, which depends on its text and the imports only).
        // A function whose parse has errors is never edited: its text may not be what the tree says.
        reuse.run(fn, functionKey('go', fn, text, options, facts), (fnNotes) => (hasAcquisition(ctx, fn)
          ? { findings: analyzeFunction(fn, ctx, fn.hasError ? null : fixer, lines, fnNotes), reusable: true, inputs: () => calls.of(fn) }
          : { findings: [], reusable: true }), out);
        for (const f of out.findings) {
          const key = `${f.ruleId}:${f.variable}@${f.range.start.line}:${f.range.start.column}`;
          if (seen.has(key)) continue;
          seen.add(key);
          findings.push(f);
        }
      }
      if (ctx.timedOut) notes.push(`analysis stopped after the time budget of ${options.timeBudgetMs} ms; findings may be incomplete`);
      if (root.hasError) notes.push(SYNTAX_ERRORS_NOTE);
      findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
      return { language: 'go' as const, findings, hadParseErrors: root.hasError, notes };
    });
  } catch (e) {
    return { language: 'go', findings: [], hadParseErrors: false, notes: [`Go analysis failed: ${e instanceof Error ? e.message : String(e)}`] };
  }
}
