import { createHash } from 'crypto';
import type { Node } from 'web-tree-sitter';
import type { Summary } from '../../engine/analysis';
import { withTree } from '../../parser';
import { callsOf, CFileContext, isStatic } from './context';
import { fileMacros, type FileMacros } from './macros';
import { macroWrappers } from './macroWrappers';
import { configurations } from './preproc';
import { NoReturnTable, noReturnFacts, type NoReturnFacts } from './noReturnFacts';
import { scanFile } from './scan';
import { SummaryResolver, SummaryStore, tableSummary, type FunctionUnit, type UnitSource } from './summaries';

/**
 * Every C/C++ function (and call-like macro) of a workspace, lowered to the IR once per file version,
 * so that the analysis of one file can use the summaries of functions defined in others: acquiring
 * wrappers (`anetCreateSocket`), releasing wrappers (`ngx_close_socket`), owners that keep what they
 * are given (`bioCreateCloseJob(fd)`), callees that close on their own failure (`anetListen`).
 * Files are added, replaced and removed one at a time (`update`, `remove`); nothing of the syntax tree
 * is kept. The object-like constant macros of every file (`#define ANET_ERR -1` in a header) are
 * known to the analysis of every other file; index headers first so their own functions see them too.
 */

const HEADER = /\.(h|hh|hpp|hxx|h\+\+)$/i;

interface IndexedFile {
  readonly hash: string;
  readonly units: readonly FunctionUnit[];
  readonly constants: ReadonlyMap<string, number>;
  readonly noReturn: NoReturnFacts;
}

export class CWorkspaceIndex implements UnitSource {
  private generation = 0;
  private readonly files = new Map<string, IndexedFile>();
  private readonly byName = new Map<string, FunctionUnit[]>();
  private constantsMemo: { generation: number; map: ReadonlyMap<string, number> } | undefined;
  private noReturnMemo: { generation: number; table: NoReturnTable } | undefined;
  readonly store = new SummaryStore();

  constructor(private readonly ownershipTransfers: readonly string[] = []) {}

  get version(): string {
    return `w${this.generation}`;
  }

  get fileCount(): number {
    return this.files.size;
  }

  get functionCount(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.units.length;
    return n;
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  /** Indexes (or re-indexes) a file's text; false when it is indexed with this very text already. */
  async update(file: string, text: string, language: 'c' | 'cpp'): Promise<boolean> {
    const hash = textHash(text, language);
    if (this.files.get(file)?.hash === hash) return false;
    const build = (root: Node): IndexedFile => this.lowerFile(file, root, hash, language);
    let entry = await withTree(language, text, (tree) => {
      const configs = configurations(tree.rootNode, text);
      return configs ? configs[0]! : build(tree.rootNode);
    });
    // A file with build alternatives: its first configuration (see preproc.ts).
    if (typeof entry === 'string') entry = await withTree(language, entry, (tree) => build(tree.rootNode));
    this.set(file, entry);
    return true;
  }

  /** Is the file indexed with exactly this text (its first configuration is then what the index holds)? */
  holds(file: string, text: string, language: 'c' | 'cpp'): boolean {
    const f = this.files.get(file);
    return !!f && f.hash === textHash(text, language);
  }

  /** The indexed definition (or macro) of `name` in `file`. */
  unitIn(file: string, name: string): FunctionUnit | undefined {
    return this.byName.get(name)?.find((u) => u.file === file);
  }

  remove(file: string): void {
    if (this.files.has(file)) this.set(file, undefined);
  }

  candidates(name: string, file: string): readonly FunctionUnit[] {
    const all = this.byName.get(name);
    if (!all) return [];
    const own = all.find((u) => u.file === file);
    return own ? [own] : all.filter((u) => u.visible);
  }

  tableSummary(name: string): Summary | undefined {
    return tableSummary(name);
  }

  /** The constant macros of the workspace's files (a name defined to different values in two files is left out). */
  constants(): ReadonlyMap<string, number> {
    if (this.constantsMemo?.generation === this.generation) return this.constantsMemo.map;
    const map = new Map<string, number>();
    const clash = new Set<string>();
    for (const f of this.files.values()) {
      for (const [k, v] of f.constants) {
        if (map.has(k) && map.get(k) !== v) clash.add(k);
        map.set(k, v);
      }
    }
    for (const k of clash) map.delete(k);
    this.constantsMemo = { generation: this.generation, map };
    return map;
  }

  /** Does a call of `name` never return, by what the workspace's files declare and define (see noReturnFacts.ts)? */
  isNoReturn(name: string): boolean {
    if (this.noReturnMemo?.generation !== this.generation) {
      this.noReturnMemo = { generation: this.generation, table: new NoReturnTable([...this.files.values()].map((f) => f.noReturn)) };
    }
    return this.noReturnMemo.table.has(name);
  }

  /** The workspace's constants, as a cache key. */
  constantsKey(): string {
    const m = this.constants();
    if (this.keyMemo?.map !== m) this.keyMemo = { map: m, key: [...m].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `${k}=${v}`).join(',') };
    return this.keyMemo.key;
  }

  private keyMemo: { map: ReadonlyMap<string, number>; key: string } | undefined;

  /** The file's own macros over the workspace's constants (the file's own definitions win). */
  macrosFor(own: FileMacros): FileMacros {
    const ws = this.constants();
    if (!ws.size) return own;
    return { constants: new Map([...ws, ...own.constants]), cleanup: own.cleanup };
  }

  /** A resolver over this index (its summaries are cached in the index across resolvers). */
  resolver(deadline?: number): SummaryResolver {
    return new SummaryResolver(this, this.store, deadline);
  }

  private set(file: string, entry: IndexedFile | undefined): void {
    const old = this.files.get(file);
    for (const u of old?.units ?? []) {
      const list = this.byName.get(u.name);
      if (!list) continue;
      const kept = list.filter((x) => x !== u);
      if (kept.length) this.byName.set(u.name, kept);
      else this.byName.delete(u.name);
    }
    if (entry) {
      this.files.set(file, entry);
      for (const u of entry.units) {
        const list = this.byName.get(u.name);
        if (list) list.push(u);
        else this.byName.set(u.name, [u]);
      }
    } else this.files.delete(file);
    this.generation++;
  }

  private lowerFile(file: string, root: Node, hash: string, language: 'c' | 'cpp'): IndexedFile {
    const own = fileMacros(root);
    const scan = scanFile(root, language);
    const ctx = new CFileContext(scan, this.ownershipTransfers, undefined, this.macrosFor(own), { index: this, file });
    const header = HEADER.test(file);
    const units: FunctionUnit[] = [];
    for (const [name, def] of scan.definitions) {
      try {
        units.push({ name, file, visible: header || !isStatic(def), ir: ctx.irOf(def), ...callsOf(scan, def) });
      } catch {
        // A function the lowering cannot take has no summary: a call to it is a hand-off.
      }
    }
    const defined = new Set(units.map((u) => u.name));
    const wrappers = macroWrappers(root);
    for (const w of wrappers) {
      if (!defined.has(w.name)) units.push({ name: w.name, file, visible: true, macro: { target: w.target, args: w.args } });
    }
    return { hash, units, constants: own.constants, noReturn: noReturnFacts(scan, wrappers, (def) => header || !isStatic(def)) };
  }
}


function textHash(text: string, language: string): string {
  return createHash('sha1').update(language).update('\0').update(text).digest('hex');
}
