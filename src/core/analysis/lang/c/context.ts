import type { Node } from 'web-tree-sitter';
import { buildCfg, type FunctionCfg } from './cfg';
import type { Summary, SummaryProvider } from '../../engine/analysis';
import type { FunctionIr } from '../../ir/ir';
import { Lowering, type CompileContext } from './lower';
import { NO_MACROS, type FileMacros } from './macros';
import { closesByName, NO_RETURN, RELEASE, tableSummary } from './names';
import { tailCall } from './noReturnFacts';
import type { EffectSite, FileScan } from './scan';
import { calleeName, otherCalleeName, simpleName } from './syntax';
import { MacroExits } from './processExit';
import type { CMacroDefinition } from '../../types';
import type { MacroWrapper } from './macroWrappers';
import { FileGlobals } from './globals';
import { FileOverlay, FileSummaries, lazyUnit, SummaryResolver, SummaryStore, type FunctionUnit } from '../../engine/summaries';
import type { CWorkspaceIndex } from './workspaceIndex';
import { validityTestOf, type ValidityTest } from './validityTests';

/** The workspace a file is analysed in: its index, and the file's key in it. */
export interface CWorkspace {
  readonly index: CWorkspaceIndex;
  readonly file: string;
  /** The index holds the file as analysed (same text, same configuration): its units serve as they are. */
  readonly exact?: boolean;
}

/**
 * File-wide knowledge for the C/C++ analysis: functions defined in the file and in the workspace (for
 * wrapper and ownership summaries, computed lazily on first use, see engine/summaries.ts), and functions that
 * never return.
 */
export class CFileContext implements CompileContext, SummaryProvider {
  private readonly summaries: FileSummaries;
  private readonly file: string;
  private readonly index: CWorkspaceIndex | undefined;
  private readonly units = new Map<string, FunctionUnit | null>();
  private wrappers: ReadonlyMap<string, MacroWrapper> | undefined;
  private readonly noReturnMemo = new Map<string, boolean | 'busy'>();
  private readonly cfgs = new Map<number, FunctionCfg>();
  private readonly irs = new Map<number, FunctionIr>();
  readonly ownershipTransfers: ReadonlySet<string>;
  /** The file's globals a function may follow like its locals. */
  readonly globals: FileGlobals;

  constructor(
    private readonly scan: FileScan,
    ownershipTransfers: readonly string[],
    deadline?: number,
    readonly macros: FileMacros = NO_MACROS,
    workspace?: CWorkspace,
    private readonly wrapperList: () => readonly MacroWrapper[] = () => [],
    private readonly table?: ReadonlyMap<string, CMacroDefinition>,
  ) {
    this.ownershipTransfers = new Set(ownershipTransfers.map(simpleName));
    this.globals = new FileGlobals(scan);
    this.file = workspace?.file ?? '';
    this.index = workspace?.index;
    // The index's own view when it holds this very text: its cached summaries stay valid from file to file.
    const source = workspace?.exact ? workspace.index : new FileOverlay(workspace?.index ?? null, this.file, (name) => this.ownUnit(name), tableSummary);
    this.summaries = new FileSummaries(new SummaryResolver(source, workspace?.index.store ?? new SummaryStore(), deadline), this.file);
  }

  /** The file's call-like macro of this name (macroWrappers.ts), its table built at the first question. */
  private wrapperNamed(name: string): MacroWrapper | undefined {
    this.wrappers ??= new Map(this.wrapperList().map((w) => [w.name, w]));
    return this.wrappers.get(name);
  }

  /** The file's own function (or call-like macro) of this name, as a unit the resolver can summarise. */
  private ownUnit(name: string): FunctionUnit | undefined {
    let u = this.units.get(name);
    if (u === undefined) {
      const def = this.scan.definitions.get(name);
      const w = def ? undefined : this.wrapperNamed(name);
      // Lowered only when the resolver analyses it: lowering every function of a file cost more than the analysis.
      u = def ? lazyUnit(name, this.file, !isStatic(def), callsOf(this.scan, def), () => this.irOf(def), () => this.returnIrOf(def))
        : w ? { name, file: this.file, visible: true, macro: { target: w.target, args: w.args } } : null;
      this.units.set(name, u);
    }
    return u ?? undefined;
  }

  /** Lowerings run by this context (tests). */
  get lowered(): number {
    return this.irs.size;
  }

  private readonly testMemo = new Map<string, ValidityTest | null>();

  /**
   * The validity test of a parameter (validityTests.ts) that a call of `name` is: the file's own definition
   * decides (a call-like macro of the file is none), else the workspace's.
   */
  validityTest(name: string): ValidityTest | undefined {
    let t = this.testMemo.get(name);
    if (t === undefined) {
      const def = this.scan.definitions.get(name);
      t = def ? validityTestOf(def) : this.wrapperNamed(name) ? null : this.index?.validityTest(name, this.file) ?? null;
      this.testMemo.set(name, t);
    }
    return t ?? undefined;
  }

  /** Can a call of `name` return a new resource (see SummaryResolver.mayReturn)? */
  mayAcquire(name: string): boolean {
    return this.summaries.mayReturnUnrecorded(name);
  }

  /** What a call of `name` from this file resolves to, for cache keys (FileSummaries.key). */
  summaryKey(name: string): string {
    return this.summaries.key(name);
  }

  mayReturn(name: string): boolean {
    return this.summaries.mayReturn(name);
  }

  /**
   * Can a call of `name` release one of its arguments (see SummaryResolver.mayRelease)? No when no
   * function it may reach calls a releasing function: its summary then releases none, and it need not be computed.
   */
  mayRelease(name: string): boolean {
    return this.summaries.mayRelease(name, releasesByName);
  }

  /** A function's CFG, built once per file: a helper is analysed for its summary and for its own leaks. */
  cfgOf(fn: Node): FunctionCfg {
    let cfg = this.cfgs.get(fn.id);
    if (!cfg) this.cfgs.set(fn.id, (cfg = buildCfg(fn, this.macros.cleanup, (f, root, prefixes) => this.globals.countUnchanged(f, root, prefixes))));
    return cfg;
  }

  /** A function's IR, lowered once per file (for its summary and for its own report). */
  irOf(fn: Node): FunctionIr {
    let ir = this.irs.get(fn.id);
    if (!ir) this.irs.set(fn.id, (ir = new Lowering(this.cfgOf(fn), this).lower(fn, this.effectSites(fn))));
    return ir;
  }

  /**
   * An IR of `fn` with the ops of its effects and returns (the whole IR when lowered already, else
   * `Lowering.lower`'s `returnsOnly` one, not kept: `returnSources` of it is, per unit).
   */
  returnIrOf(fn: Node): FunctionIr {
    return this.irs.get(fn.id) ?? new Lowering(this.cfgOf(fn), this).lower(fn, this.effectSites(fn), true);
  }

  /** The IR of the file's definition of `name` (throws when there is none); `returnsOnly`: `returnIrOf`'s. */
  irOfName(name: string, returnsOnly = false): FunctionIr {
    const def = this.scan.definitions.get(name);
    if (!def) throw new Error(`no definition of ${name}`);
    return returnsOnly ? this.returnIrOf(def) : this.irOf(def);
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
    this.noReturnMemo.set(name, 'busy');
    // The file's own definition decides; else a macro of the file that is one call, else the workspace.
    const wrapper = def ? undefined : this.wrapperNamed(name);
    const result = def ? this.endsInNoReturn(def) : wrapper ? wrapper.target !== name && this.isNoReturn(wrapper.target) : !!this.index?.isNoReturn(name);
    this.noReturnMemo.set(name, result);
    return result;
  }

  private macroExits: MacroExits | null | undefined;

  /**
   * Does this call never return by what it is given: a function-like macro of the workspace's table
   * whose expansion with these arguments exits on every path (`msg(M_FATAL, …)`, processExit.ts)?
   */
  isNoReturnCall(call: Node): boolean {
    if (!this.table?.size) return false;
    const name = calleeName(call);
    if (!name || this.table.get(name)?.params == null || this.scan.definitions.has(name)) return false;
    this.macroExits ??= new MacroExits(this.table, call.tree.language, (n) => this.isNoReturn(n));
    return this.macroExits.endsProcess(call);
  }

  /** The index's files that mention `name` (callerExits.ts), or null without a workspace. */
  filesMentioning(name: string): ReturnType<CWorkspaceIndex['filesMentioning']> | null {
    return this.index ? this.index.filesMentioning(name) : null;
  }

  /** The workspace path of the file (empty without a workspace). */
  get path(): string {
    return this.file;
  }

  /**
   * A function whose body has no `return` and whose last statement calls a function that does
   * not return cannot return: every path that could fall off the end runs that statement.
   */
  private endsInNoReturn(def: Node): boolean {
    const name = tailCall(def);
    return !!name && this.isNoReturn(name);
  }

  summary(name: string): Summary | undefined {
    return this.summaries.summary(name);
  }

  /** Runs `run` and names the summaries it asked for (FileSummaries.recording). */
  recordingSummaries<T>(run: () => T): [T, ReadonlyMap<string, string>] {
    return this.summaries.recording(run);
  }
}

/**
 * The names a function calls, and whether one of them is an acquiring library function (see FunctionUnit);
 * `lowered`, the other names its lowering gives its calls (otherCalleeName), for `mayRelease`.
 */
export function callsOf(scan: FileScan, def: Node): { calls: string[]; acquires: boolean; lowered: string[] } {
  const calls = new Set<string>();
  const lowered = new Set<string>();
  for (const e of scan.effects.get(def.id) ?? []) {
    if (e.kind !== 'call') continue;
    if (e.callee) calls.add(e.callee);
    const other = otherCalleeName(e.node, e.callee);
    if (other) lowered.add(other);
  }
  return { calls: [...calls], acquires: scan.acquiring.includes(def), lowered: [...lowered] };
}

/** `static int f(...)`: visible only in its own file. */
export function isStatic(def: Node): boolean {
  for (const c of def.children) if (c?.type === 'storage_class_specifier' && c.text === 'static') return true;
  return false;
}

/** A call of this name releases its argument whatever its summary (the lowering's `release`, or a `summary` op whose fallback is a release). */
export function releasesByName(name: string): boolean {
  return RELEASE.has(name) || closesByName(name);
}
