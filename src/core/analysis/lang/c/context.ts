import type { Node } from 'web-tree-sitter';
import { buildCfg, type FunctionCfg } from './cfg';
import { FunctionAnalysis, NO_SUMMARY, type Summary, type SummaryProvider } from '../../engine/analysis';
import type { FunctionIr } from '../../ir/ir';
import { Lowering, type CompileContext } from './lower';
import { NO_RETURN } from './names';
import type { EffectSite, FileScan } from './scan';
import { firstKid } from '../../syntax';
import { calleeName, simpleName, strip } from './syntax';

/**
 * File-wide knowledge for the C/C++ analysis: functions defined in the file (for wrapper and
 * ownership summaries, computed lazily on first use), and functions that never return.
 */
export class CFileContext implements CompileContext, SummaryProvider {
  private readonly summaries = new Map<string, Summary | 'busy'>();
  private readonly noReturnMemo = new Map<string, boolean | 'busy'>();
  private readonly cfgs = new Map<number, FunctionCfg>();
  private readonly irs = new Map<number, FunctionIr>();
  readonly ownershipTransfers: ReadonlySet<string>;

  constructor(
    private readonly scan: FileScan,
    ownershipTransfers: readonly string[],
    private readonly deadline?: number,
  ) {
    this.ownershipTransfers = new Set(ownershipTransfers.map(simpleName));
  }

  /** A function's CFG, built once per file: a helper is analysed for its summary and for its own leaks. */
  cfgOf(fn: Node): FunctionCfg {
    let cfg = this.cfgs.get(fn.id);
    if (!cfg) this.cfgs.set(fn.id, (cfg = buildCfg(fn)));
    return cfg;
  }

  /** A function's IR, lowered once per file (for its summary and for its own report). */
  irOf(fn: Node): FunctionIr {
    let ir = this.irs.get(fn.id);
    if (!ir) this.irs.set(fn.id, (ir = new Lowering(this.cfgOf(fn), this).lower(fn, this.effectSites(fn))));
    return ir;
  }

  effectSites(fn: Node): readonly EffectSite[] {
    return this.scan.effects.get(fn.id) ?? [];
  }

  isDefined(name: string): boolean {
    return this.scan.definitions.has(name);
  }

  isNoReturn(name: string): boolean {
    if (NO_RETURN.has(name) || this.scan.noReturn.has(name)) return true;
    const memo = this.noReturnMemo.get(name);
    if (memo !== undefined) return memo === true;
    const def = this.scan.definitions.get(name);
    if (!def) return false;
    this.noReturnMemo.set(name, 'busy');
    const result = this.endsInNoReturn(def);
    this.noReturnMemo.set(name, result);
    return result;
  }

  /**
   * A function whose body has no `return` and whose last statement calls a function that does
   * not return cannot return: every path that could fall off the end runs that statement.
   */
  private endsInNoReturn(def: Node): boolean {
    const body = def.childForFieldName('body');
    if (!body) return false;
    let last: Node | null = null;
    for (let i = body.namedChildCount - 1; i >= 0 && !last; i--) {
      const c = body.namedChild(i);
      if (c && c.type !== 'comment') last = c;
    }
    if (!last || last.type !== 'expression_statement') return false;
    const call = strip(firstKid(last));
    if (!call || call.type !== 'call_expression') return false;
    const name = calleeName(call);
    if (!name || !this.isNoReturn(name)) return false;
    return body.descendantsOfType('return_statement').length === 0;
  }

  summary(name: string): Summary | undefined {
    const def = this.scan.definitions.get(name);
    if (!def) return undefined;
    const memo = this.summaries.get(name);
    if (memo === 'busy') return NO_SUMMARY; // recursion: assume nothing
    if (memo) return memo;
    this.summaries.set(name, 'busy');
    let result = NO_SUMMARY;
    try {
      const analysis = new FunctionAnalysis(this.irOf(def), this, 'summary', this.deadline);
      analysis.run();
      result = analysis.summary();
    } catch {
      result = NO_SUMMARY;
    }
    this.summaries.set(name, result);
    return result;
  }
}
