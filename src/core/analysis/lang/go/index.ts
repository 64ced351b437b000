/**
 * Go leak analysis: connections, listeners, files and HTTP response bodies that are not closed,
 * deferred closed or handed on (returned, sent, stored, given to a goroutine that closes them) on
 * every path after their error check.
 */
import type { Node } from 'web-tree-sitter';
import { withTree } from '../../parser';
import type { AnalysisOptions, AnalysisResult, Finding, Range } from '../../types';
import { FileContext, HANDED, MAYBE, analyzeFunction, hasAcquisition, type Leak, type Resource } from './flow';
import { GoFixer, displayName } from './fixes';
import { describeKind } from './names';
import { collectImports, functionName, functionNodes } from './syntax';

function range(n: Node): Range {
  return { start: { line: n.startPosition.row, column: n.startPosition.column }, end: { line: n.endPosition.row, column: n.endPosition.column } };
}

function message(leak: Leak): string {
  const r = leak.resource;
  const what = `\`${displayName(r)}\` (${describeKind(r.kind)} from ${r.call?.childForFieldName('function')?.text.replace(/\s+/g, '') ?? 'a call'})`;
  if (leak.mask & HANDED) {
    const fn = r.handlers[0]?.fn;
    return `${what} is handed to a goroutine (${fn ? functionName(fn) : 'a function'}) that never closes it`;
  }
  const when = leak.mask & MAYBE ? ' when the call succeeds (its error is not checked on this path)' : '';
  switch (leak.node.exit?.kind) {
    case 'return': return `${what} is not closed before this return${when}`;
    case 'end': return `${what} is not closed when the function ends${when}`;
    case 'break': return `${what} is not closed before this break${when}`;
    case 'continue': return `${what} is not closed before this continue${when}`;
    default: return `${what} goes out of scope here without being closed${when}`;
  }
}

function findingsFor(fn: Node, resources: readonly Resource[], leaks: readonly Leak[], fixer: GoFixer): Finding[] {
  const out: Finding[] = [];
  for (const r of resources) {
    const mine = leaks.filter((l) => l.resource.id === r.id);
    if (mine.length === 0 || !r.call) continue;
    const allPaths = fixer.allPathsFix(r, mine);
    for (const leak of mine) {
      const exit = leak.node.exit!;
      const exitFix = fixer.exitFix(leak);
      out.push({
        ruleId: 'sockscope.leak',
        language: 'go',
        range: range(exit.report),
        function: functionName(fn),
        variable: displayName(r),
        acquired: range(r.call),
        message: message(leak),
        related: [{ range: range(r.call), message: `\`${r.variable}\` is acquired here` }],
        fixes: [...(allPaths ? [allPaths] : []), ...(exitFix ? [exitFix] : [])],
      });
    }
  }
  return out;
}

export async function analyzeGo(text: string, options: AnalysisOptions): Promise<AnalysisResult> {
  const notes: string[] = [];
  const started = Date.now();
  const deadline = options.timeBudgetMs !== undefined ? started + options.timeBudgetMs : undefined;
  try {
    return await withTree('go', text, (tree) => {
      const root = tree.rootNode;
      const fns = functionNodes(root);
      const ctx = new FileContext(collectImports(root), new Set(options.ownershipTransfers ?? []), fns, deadline);
      const fixer = new GoFixer(text);
      const findings: Finding[] = [];
      const seen = new Set<string>();
      for (const fn of fns) {
        if (deadline !== undefined && Date.now() > deadline) ctx.timedOut = true;
        if (ctx.timedOut) break;
        if (!hasAcquisition(ctx, fn)) continue;
        const result = analyzeFunction(ctx, fn);
        if (!result.complete) notes.push(`function ${functionName(fn)}: too complex, analysis cut short`);
        for (const f of findingsFor(fn, result.resources, result.leaks, fixer)) {
          const key = `${f.variable}@${f.range.start.line}:${f.range.start.column}`;
          if (seen.has(key)) continue;
          seen.add(key);
          findings.push(f);
        }
      }
      if (ctx.timedOut) notes.push(`analysis stopped after the time budget of ${options.timeBudgetMs} ms; findings may be incomplete`);
      if (root.hasError) notes.push('the file has syntax errors: only the parts that parsed were analysed');
      findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
      return { language: 'go' as const, findings, hadParseErrors: root.hasError, notes };
    });
  } catch (e) {
    return { language: 'go', findings: [], hadParseErrors: false, notes: [`Go analysis failed: ${e instanceof Error ? e.message : String(e)}`] };
  }
}
