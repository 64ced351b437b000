import type { Node, Tree } from 'web-tree-sitter';
import { LineIndex } from '../../edits';
import { withTree } from '../../parser';
import type { AnalysisOptions, AnalysisResult, Finding, Range } from '../../types';
import { buildCfg, type FunctionCfg } from './cfg';
import { FunctionAnalysis, type FileContext, type LeakRecord, type Summary, type TokenInfo } from './engine';
import { JavaFixer } from './fixes';
import { NEW_ACQUIRE, describeKind } from './names';
import { enclosingStatement, functionName, isFunction, simpleTypeName } from './syntax';

/**
 * Java socket-leak analysis: for each method, constructor or lambda that opens a socket, channel
 * or selector (or is handed one by a thread hand-off), a dataflow over its exception-aware CFG finds
 * the exits where one is still open. Streams and wrappers of a socket are the same resource.
 */
export async function analyzeJava(text: string, options: AnalysisOptions): Promise<AnalysisResult> {
  try {
    return await withTree('java', text, (tree) => analyzeTree(tree, text, options));
  } catch (e) {
    return { language: 'java', findings: [], hadParseErrors: false, notes: [`analysis failed: ${e instanceof Error ? e.message : String(e)}`] };
  }
}

interface FileIndex {
  /** Methods, constructors and lambdas in document order. */
  readonly functions: Node[];
  /** Ids of functions that directly contain a possible acquisition. */
  readonly acquiring: Set<number>;
  readonly methods: Map<string, Node>;
  readonly constructors: Map<string, Node>;
  readonly fieldTypes: Map<string, string>;
}

function arity(fn: Node): number {
  const p = fn.childForFieldName('parameters');
  return p ? p.namedChildren.filter((c) => c && (c.type === 'formal_parameter' || c.type === 'spread_parameter')).length : 0;
}

function isAcquisitionCandidate(n: Node): boolean {
  if (n.type === 'object_creation_expression') return NEW_ACQUIRE.has(simpleTypeName(n.childForFieldName('type')));
  if (n.type === 'method_invocation') {
    const name = n.childForFieldName('name')?.text;
    return name === 'open' || name === 'accept';
  }
  return false;
}

/** One iterative cursor walk over the tree: functions, acquisitions, same-file methods and field types. */
function indexFile(tree: Tree): FileIndex {
  const idx: FileIndex = { functions: [], acquiring: new Set(), methods: new Map(), constructors: new Map(), fieldTypes: new Map() };
  const cursor = tree.walk();
  const fnStack: { node: Node; depth: number }[] = [];
  let depth = 0;
  try {
    for (;;) {
      const n = cursor.currentNode;
      while (fnStack.length && fnStack[fnStack.length - 1]!.depth >= depth) fnStack.pop();
      if (isFunction(n)) {
        idx.functions.push(n);
        fnStack.push({ node: n, depth });
        const name = n.childForFieldName('name')?.text;
        if (n.type === 'method_declaration' && name && !idx.methods.has(`${name}/${arity(n)}`)) idx.methods.set(`${name}/${arity(n)}`, n);
        if (n.type === 'constructor_declaration' && name && !idx.constructors.has(`${name}/${arity(n)}`)) idx.constructors.set(`${name}/${arity(n)}`, n);
      } else if (n.type === 'field_declaration') {
        const type = simpleTypeName(n.childForFieldName('type'));
        for (const d of n.childrenForFieldName('declarator')) {
          const name = d?.childForFieldName('name')?.text;
          if (name) idx.fieldTypes.set(name, type);
        }
      } else if (isAcquisitionCandidate(n) && fnStack.length) {
        idx.acquiring.add(fnStack[fnStack.length - 1]!.node.id);
      }
      if (cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return idx;
        depth--;
      }
    }
  } finally {
    cursor.delete();
  }
}

class JavaFileContext implements FileContext {
  readonly ownershipTransfers: ReadonlySet<string>;
  private readonly summaries = new Map<number, Summary | null>();
  private readonly cfgs = new Map<number, FunctionCfg>();
  readonly seeds = new Map<number, Map<string, TokenInfo>>();

  constructor(private readonly idx: FileIndex, transfers: readonly string[], private readonly deadline?: number) {
    this.ownershipTransfers = new Set(transfers);
  }

  methodSummary(name: string, n: number): Summary | undefined {
    const fn = this.idx.methods.get(`${name}/${n}`);
    return fn ? this.summaryOf(fn) : undefined;
  }

  constructorSummary(type: string, n: number): Summary | undefined {
    const fn = this.idx.constructors.get(`${type}/${n}`);
    return fn ? this.summaryOf(fn) : undefined;
  }

  fieldType(name: string): string | undefined {
    return this.idx.fieldTypes.get(name);
  }

  handOver(fn: Node, name: string, token: TokenInfo): void {
    let m = this.seeds.get(fn.id);
    if (!m) this.seeds.set(fn.id, (m = new Map()));
    if (!m.has(name)) m.set(name, { ...token, origin: name, bind: null, captured: true });
  }

  /**
   * A method's CFG, built once per file when it has no extra locals: a helper is analysed for its
   * summary and for its own leaks. Extra locals (captured variables handed over) change the graph.
   */
  cfgOf(fn: Node, extraLocals: readonly string[] = []): FunctionCfg {
    if (extraLocals.length > 0) return buildCfg(fn, extraLocals);
    let cfg = this.cfgs.get(fn.id);
    if (!cfg) this.cfgs.set(fn.id, (cfg = buildCfg(fn)));
    return cfg;
  }

  private summaryOf(fn: Node): Summary | undefined {
    if (this.summaries.has(fn.id)) return this.summaries.get(fn.id) ?? undefined;
    this.summaries.set(fn.id, null); // recursion: unknown while in progress
    if (!fn.childForFieldName('body')) return undefined;
    const a = new FunctionAnalysis(this.cfgOf(fn), fn, this, 'summary', new Map(), this.deadline);
    a.run();
    const s = a.summary();
    this.summaries.set(fn.id, s);
    return s;
  }
}

function analyzeTree(tree: Tree, text: string, options: AnalysisOptions): AnalysisResult {
  const deadline = options.timeBudgetMs !== undefined ? Date.now() + options.timeBudgetMs : undefined;
  const root = tree.rootNode;
  const notes: string[] = [];
  const findings: Finding[] = [];
  const hadParseErrors = root.hasError;
  if (hadParseErrors) notes.push('the file has syntax errors; the parts that parsed were analysed');
  const idx = indexFile(tree);
  const ctx = new JavaFileContext(idx, options.ownershipTransfers ?? [], deadline);
  const lines = new LineIndex(text);
  for (let i = 0; i < idx.functions.length; i++) {
    const fn = idx.functions[i]!;
    const seeds = ctx.seeds.get(fn.id);
    if (!idx.acquiring.has(fn.id) && !seeds) continue;
    if (deadline !== undefined && Date.now() > deadline) {
      notes.push(`time budget of ${options.timeBudgetMs} ms used up: functions from line ${fn.startPosition.row + 1} on were not analysed`);
      break;
    }
    const name = functionName(fn);
    try {
      findings.push(...analyzeFunction(fn, name, ctx, seeds ?? new Map(), text, lines, deadline, notes));
    } catch (e) {
      notes.push(`function ${name}: not analysed (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column || a.variable.localeCompare(b.variable));
  return { language: 'java', findings, hadParseErrors, notes };
}

function analyzeFunction(
  fn: Node, name: string, ctx: JavaFileContext, seeds: ReadonlyMap<string, TokenInfo>, text: string, lines: LineIndex,
  deadline: number | undefined, notes: string[],
): Finding[] {
  const cfg = ctx.cfgOf(fn, [...seeds.keys()]);
  if (cfg.truncated) notes.push(`function ${name}: too deeply nested or too large, parts were treated as opaque`);
  const a = new FunctionAnalysis(cfg, fn, ctx, 'report', seeds, deadline);
  a.run();
  if (!a.complete) notes.push(`function ${name}: analysis cut short (step limit or time budget)`);
  const records = [...a.leaks.values()];
  const fixer = new JavaFixer({ text, lines, fn, analysis: a, records });
  const out: Finding[] = [];
  // One finding per variable and place: a reassignment that also throws is reported once, as the overwrite.
  records.sort((x, y) => (x.exit.kind === 'overwrite' ? 0 : 1) - (y.exit.kind === 'overwrite' ? 0 : 1));
  const seen = new Set<string>();
  for (const rec of records) {
    const tokens = [...rec.tokens].map((t) => a.tokens.get(t)).filter((t): t is TokenInfo => !!t);
    tokens.sort((x, y) => x.call.startIndex - y.call.startIndex);
    const info = tokens[0];
    if (!info) continue;
    const acquired = lines.range(info.call.startIndex, info.call.endIndex);
    const range = leakRange(rec, fn, lines);
    const key = `${range.start.line}:${range.start.column}:${rec.variable}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const what = `${describeKind(info.kind === 'param' ? 'socket' : info.kind)} from \`${label(info.call)}\` (line ${acquired.start.line + 1})`;
    out.push({
      ruleId: 'sockscope.leak',
      language: 'java',
      range,
      function: name,
      variable: rec.variable,
      acquired,
      message: message(rec, what, name),
      related: [{ range: acquired, message: `\`${rec.variable}\` is opened here` }],
      fixes: fixer.fixesFor(rec, info),
    });
  }
  return out;
}

/** `new Socket(…)`, `server.accept()`, `SocketChannel.open()`. */
function label(call: Node): string {
  const short = (s: string): string => (s.length > 40 ? `${s.slice(0, 37)}…` : s);
  if (call.type === 'object_creation_expression') return `new ${simpleTypeName(call.childForFieldName('type'))}(…)`;
  if (call.type === 'method_invocation') {
    const o = call.childForFieldName('object');
    const args = call.childForFieldName('arguments')?.namedChildCount ? '…' : '';
    return `${o ? short(o.text.replace(/\s+/g, ' ')) + '.' : ''}${call.childForFieldName('name')?.text ?? ''}(${args})`;
  }
  return short(call.text);
}

function siteName(site: Node): string {
  if (site.type === 'method_invocation') return `\`${site.childForFieldName('name')?.text ?? ''}()\``;
  if (site.type === 'object_creation_expression') return `\`new ${simpleTypeName(site.childForFieldName('type'))}(…)\``;
  return 'the `throw`';
}

function message(rec: LeakRecord, what: string, fnName: string): string {
  const v = `\`${rec.variable}\``;
  switch (rec.exit.kind) {
    case 'return': return `${v} (${what}) is still open at this return`;
    case 'break': return `${v} (${what}) is still open at this break`;
    case 'continue': return `${v} (${what}) is still open at this continue`;
    case 'block': return `${v} (${what}) goes out of scope here without being closed`;
    case 'end': return `${v} (${what}) is never closed: it is still open when \`${fnName}\` ends`;
    case 'overwrite': return `${v} is reassigned here while it still holds an open ${what}`;
    case 'throw':
      return rec.site
        ? (rec.site.type === 'throw_statement' ? `the \`throw\` here leaks ${v} (${what})` : `an exception from ${siteName(rec.site)} here leaks ${v} (${what})`)
        : `an exception leaks ${v} (${what})`;
  }
}

/**
 * Where the finding goes: the return/break/continue statement, the closing `}` of the method or
 * block, the statement holding the throwing call (the call itself when that statement is a
 * compound one such as an `if`), or the overwriting assignment's statement.
 */
function leakRange(rec: LeakRecord, fn: Node, lines: LineIndex): Range {
  const n = rec.exit.node;
  switch (rec.exit.kind) {
    case 'return':
    case 'break':
    case 'continue':
      return lines.range(n.startIndex, n.endIndex);
    case 'block':
    case 'end':
      return lines.range(Math.max(n.startIndex, n.endIndex - 1), n.endIndex);
    case 'overwrite':
    case 'throw': {
      const site = rec.site ?? (rec.exit.kind === 'overwrite' ? n : null);
      if (!site) {
        const name = fn.childForFieldName('name') ?? fn;
        return lines.range(name.startIndex, name.endIndex);
      }
      const stmt = enclosingStatement(site);
      const simple = ['expression_statement', 'local_variable_declaration', 'return_statement', 'throw_statement'].includes(stmt.type);
      return simple ? lines.range(stmt.startIndex, stmt.endIndex) : lines.range(site.startIndex, site.endIndex);
    }
  }
}
