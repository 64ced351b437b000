import type { Node } from 'web-tree-sitter';
import { LineIndex } from '../../edits';
import { withTree } from '../../parser';
import type { AnalysisOptions, AnalysisResult, Finding, Range } from '../../types';
import { CfgBuilder, CfgTooLarge } from './cfg';
import { Effects, type AcquisitionSite } from './effects';
import { buildFixes, identifierIndex, indentUnit, type FixContext } from './fixes';
import { Flow, type Reason } from './flow';
import { acquireShape, Imports, type ResourceKind } from './names';
import { DEFERRED, named, snippet, walk } from './syntax';

/**
 * Python resource-leak analysis: sockets (`socket.socket`, `create_connection`, `accept`, `socketpair`,
 * `ssl` wrapping), files (`open`) and OS descriptors (`os.open`) that are not closed on every path,
 * exceptions included. A leak is reported at the acquisition, with the paths that lose it as related
 * information. Module-level code only reports resources lost by reassignment or `del`: module globals
 * live as long as the module.
 */
export async function analyzePython(text: string, options: AnalysisOptions): Promise<AnalysisResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  let hadParseErrors = false;
  try {
    await withTree('python', text, (tree) => {
      hadParseErrors = tree.rootNode.hasError;
      analyzeTree(tree.rootNode, text, options, findings, notes);
    });
  } catch (e) {
    notes.push(`analysis failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (hadParseErrors) notes.push('the file has syntax errors: analysed what parsed');
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
  return { language: 'python', findings, hadParseErrors, notes };
}

interface Scope {
  readonly name: string;
  /** The function node, or the module. */
  readonly node: Node;
  /** The statements' container: the function body block, or the module. */
  readonly body: Node | null;
  readonly moduleLevel: boolean;
}

function scopes(root: Node): Scope[] {
  const out: Scope[] = [{ name: '<module>', node: root, body: root, moduleLevel: true }];
  walk(root, (n) => {
    if (n.type === 'function_definition') {
      out.push({ name: n.childForFieldName('name')?.text ?? '<function>', node: n, body: n.childForFieldName('body'), moduleLevel: false });
    }
    // Calls, strings and the like hold no function definitions worth analysing (lambdas are expressions).
    return n.type !== 'string' && n.type !== 'call' && n.type !== 'lambda';
  });
  return out;
}

/** Whether the scope's own code (not nested functions) contains an acquiring call. */
function acquires(body: Node, imports: Imports): boolean {
  let found = false;
  walk(body, (n) => {
    if (found || DEFERRED.has(n.type)) return false;
    if (n.type === 'call' && acquireShape(n, imports)) found = true;
    return !found;
  });
  return found;
}

/** `global`/`nonlocal` names declared in the scope's own code. */
function nonLocalNames(body: Node): Set<string> {
  const out = new Set<string>();
  walk(body, (n) => {
    if (DEFERRED.has(n.type)) return false;
    if (n.type === 'global_statement' || n.type === 'nonlocal_statement') {
      for (const c of named(n)) if (c.type === 'identifier') out.add(c.text);
      return false;
    }
    return true;
  });
  return out;
}

function analyzeTree(root: Node, text: string, options: AnalysisOptions, findings: Finding[], notes: string[]): void {
  const deadline = options.timeBudgetMs === undefined ? undefined : Date.now() + options.timeBudgetMs;
  const imports = Imports.of(root);
  const transfers = new Set(options.ownershipTransfers ?? []);
  const index = new LineIndex(text);
  let unit: string | null = null;
  for (const scope of scopes(root)) {
    if (!scope.body || !acquires(scope.body, imports)) continue;
    if (deadline !== undefined && Date.now() >= deadline) {
      notes.push(`time budget of ${options.timeBudgetMs} ms used up: analysis stopped before \`${scope.name}\``);
      return;
    }
    const effects = new Effects(imports, transfers, scope.moduleLevel ? new Set() : nonLocalNames(scope.body));
    const builder = new CfgBuilder((roots) => effects.raiser(roots));
    let cfg;
    try {
      cfg = builder.build(scope.body);
    } catch (e) {
      if (!(e instanceof CfgTooLarge)) throw e;
      notes.push(`${scope.name}: too complex (control-flow graph too large), not analysed`);
      continue;
    }
    if (cfg.truncated) notes.push(`${scope.name}: nesting too deep, inner statements treated as opaque`);
    const flow = new Flow(cfg, effects, scope.moduleLevel);
    const result = flow.run(deadline);
    if (!result.complete) {
      notes.push(`${scope.name}: analysis cut short (step limit or time budget), findings left out`);
      continue;
    }
    if (result.leaks.length === 0) continue;
    unit ??= indentUnit(root, text, index);
    const escaping = escapingVariables(cfg.nodes, effects);
    const body = scope.body;
    let ids: Map<string, Node[]> | null = null;
    const ctx: FixContext = {
      text, index, scope: body, unit,
      identifiers: () => (ids ??= identifierIndex(body)),
      statements: (b) => builder.statements(b),
    };
    for (const leak of result.leaks) {
      findings.push(finding(leak.site, leak.reasons, scope, index, buildFixes(leak.site, leak.reasons, escaping.has(leak.site.variable), ctx)));
    }
  }
}

/** Variables returned, stored, transferred or aliased somewhere in the scope: closing them everywhere would be wrong. */
function escapingVariables(nodes: readonly import('./cfg').PyNode[], effects: Effects): Set<string> {
  const out = new Set<string>();
  for (const n of nodes) {
    for (const e of [...effects.of(n), ...(n.kind === 'for' ? effects.of(n, true) : [])]) {
      if (e.t === 'escape') out.add(e.v);
      if (e.t === 'alias') out.add(e.from);
    }
  }
  return out;
}

const KIND_NAME: Record<ResourceKind, string> = { socket: 'Socket', file: 'File', fd: 'Descriptor' };

function line(index: LineIndex, n: Node): number {
  return index.position(n.startIndex).line + 1;
}

function reasonText(r: Reason, v: string, scope: Scope, index: LineIndex): string {
  switch (r.kind) {
    case 'exception':
      return `an exception from \`${snippet(r.node)}\` on line ${line(index, r.node)}`;
    case 'raise':
      return r.node.type === 'assert_statement' ? `a failing assert on line ${line(index, r.node)}` : `the raise on line ${line(index, r.node)}`;
    case 'return':
      return `the return on line ${line(index, r.node)}`;
    case 'end':
      return scope.moduleLevel ? 'the end of the module' : `the end of \`${scope.name}\``;
    case 'reassigned':
      return `\`${v}\` being reassigned on line ${line(index, r.node)}`;
    case 'deleted':
      return `\`del ${v}\` on line ${line(index, r.node)} (del does not close it)`;
  }
}

function reasonRange(r: Reason, scope: Scope, index: LineIndex): Range {
  if (r.kind === 'end') {
    const end = scope.node.endIndex;
    return index.range(end, end);
  }
  return index.range(r.node.startIndex, r.node.endIndex);
}

function finding(site: AcquisitionSite, reasons: readonly Reason[], scope: Scope, index: LineIndex, fixes: Finding['fixes']): Finding {
  const v = site.variable;
  const acquired = index.range(site.call.startIndex, site.call.endIndex);
  // Tuple targets (`a, b = socket.socketpair()`) are told apart by the element.
  const range = site.target.startIndex < site.call.startIndex && !site.simple ? index.range(site.target.startIndex, site.target.endIndex) : acquired;
  const texts = reasons.map((r) => reasonText(r, v, scope, index));
  const first = texts[0] ?? 'some path';
  const more = texts.length > 1 ? ` (and ${texts.length - 1} other path${texts.length > 2 ? 's' : ''})` : '';
  return {
    ruleId: 'sockscope.leak',
    language: 'python',
    range,
    function: scope.name,
    variable: v,
    acquired,
    message: `${KIND_NAME[site.kind]} \`${v}\` from \`${snippet(site.call)}\` is not closed on every path: it leaks on ${first}${more}.`,
    related: reasons.map((r, i) => ({ range: reasonRange(r, scope, index), message: `\`${v}\` leaks here: ${texts[i]}` })),
    fixes,
  };
}
