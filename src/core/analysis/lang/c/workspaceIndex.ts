import { createHash } from 'crypto';
import { Parser, type Language, type Node, type Tree } from 'web-tree-sitter';
import type { Summary } from '../../engine/analysis';
import type { FunctionIr } from '../../ir/ir';
import { loadLanguage, withTree } from '../../parser';
import { reparse, sameLengthReplacements } from '../../reparse';
import { callsOf, CFileContext, isStatic } from './context';
import { fileMacros, withTableHints, type FileMacros } from './macros';
import { macroWrappers, type MacroWrapper } from './macroWrappers';
import { isHeader } from './workspaceMacros';
import { configurations, type MacroTable } from './preproc';
import { NoReturnTable, noReturnByMacroRepaired, noReturnFacts, type NoReturnFacts } from './noReturnFacts';
import { scanFile, type FileScan } from './scan';
import { lazyUnit, SummaryResolver, SummaryStore, UnitTable, type FunctionUnit, type UnitSource } from '../../engine/summaries';
import { tableSummary } from './names';
import { fileValidityTests, validityKey, type ValidityTest } from './validityTests';

/**
 * Every C/C++ function (and call-like macro) of a workspace, so that the analysis of one file can use
 * the summaries of functions defined in others: acquiring wrappers (`anetCreateSocket`), releasing
 * wrappers (`ngx_close_socket`), owners that keep what they are given (`bioCreateCloseJob(fd)`),
 * callees that close on their own failure (`anetListen`). Files are added, replaced and removed one at
 * a time (`update`, `remove`). Indexing a file reads its definitions and the calls in them; a function
 * is lowered to the IR only when a summary of it is asked for (most never are). The syntax trees of
 * the last `keepTrees` files indexed or lowered are kept: a function is lowered in its file's kept
 * tree (or in the context of the analysis of that very text, `lend`), and the analysis of a file's
 * indexed text parses and scans nothing again (`kept`); past them, a file is parsed again to lower
 * one of its functions. The object-like constant macros of every file (`#define ANET_ERR -1` in a
 * header) are known to the analysis of every other file; index headers first.
 *
 * The index reads each file in its first build configuration (preproc.ts), under the macro table it
 * was given (the one the analysis gets as `cMacros`): an analysis whose text is that very configuration
 * uses the index's view of the file as it is (`holdsAnalysed`); any other (another configuration, a
 * text with macro rewrites, another table) lays its own functions over it.
 */
/** Files whose syntax trees are kept by default (the CLI keeps all of them, the editor's worker these). */
const KEEP_TREES = 32;

/** A kept tree of a file's indexed text, its scan, and (once a function of it is lowered) a context. */
interface KeptTree {
  readonly analysedHash: string;
  readonly tree: Tree;
  readonly scan: FileScan;
  readonly own: FileMacros;
  /** The call-like macros of the tree (macroWrappers.ts), when the index read them from it. */
  readonly wrappers?: readonly MacroWrapper[];
  ctx?: CFileContext;
}

interface IndexedFile {
  /** The file's text (and language). */
  readonly hash: string;
  readonly language: 'c' | 'cpp';
  /** Its build configurations under the index's macro table (null: none, the text as it is). */
  readonly configs: readonly string[] | null;
  /** The text the units are read from (the first configuration), and its hash. */
  readonly analysed: string;
  readonly analysedHash: string;
  readonly units: readonly FunctionUnit[];
  readonly constants: ReadonlyMap<string, number>;
  readonly noReturn: NoReturnFacts;
  /** Its functions that are a validity test of a parameter (validityTests.ts), by name. */
  readonly tests: ReadonlyMap<string, ValidityTest>;
  /** An adopted file's text: its tree is parsed from it as `read` parses it. */
  readonly text?: string;
}

/** A file read for the index, not yet added (`install`). */
export interface ReadFile {
  readonly file: string;
  readonly text: string;
  readonly entry: IndexedFile;
  readonly kept: KeptTree;
}

/** A file as one index read it, for another index (`adopt`): plain data. */
export interface ExportedFile {
  readonly file: string;
  readonly text: string;
  readonly hash: string;
  readonly language: 'c' | 'cpp';
  readonly configs: readonly string[] | null;
  readonly analysed: string;
  readonly units: readonly { readonly name: string; readonly visible: boolean; readonly calls?: readonly string[]; readonly acquires?: boolean; readonly lowered?: readonly string[]; readonly macro?: FunctionUnit['macro'] }[];
  readonly constants: readonly (readonly [string, number])[];
  readonly noReturn: NoReturnFacts;
  readonly tests: readonly (readonly [string, ValidityTest])[];
}

/**
 * A file's text parsed as `read` parses it first (the tree its build configurations are read from), for
 * `read`'s `parsed`: a thread can parse its files while the headers' macros, which the configurations
 * need, are still being read elsewhere. The caller owns the tree until it hands it to `read`.
 */
export async function parseForIndex(text: string, language: 'c' | 'cpp'): Promise<Tree> {
  const lang = await loadLanguage(language); // runs Parser.init() first: no Parser may exist before it
  const parser = new Parser();
  try {
    parser.setLanguage(lang);
    const tree = parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  } finally {
    parser.delete();
  }
}

export class CWorkspaceIndex implements UnitSource {
  private generation = 0;
  private readonly files = new Map<string, IndexedFile>();
  private readonly units = new UnitTable();
  private constantsMemo: { generation: number; map: ReadonlyMap<string, number> } | undefined;
  private noReturnMemo: { generation: number; table: NoReturnTable } | undefined;
  readonly store = new SummaryStore();
  private readonly languages = new Map<'c' | 'cpp', Language>();
  private parser: Parser | undefined;
  /** Trees parsed to lower functions on demand, by file (most recently used last). */
  private readonly open = new Map<string, KeptTree>();
  /** The context of the analysis running on a file's indexed text: its functions are lowered there. */
  private lent: { readonly file: string; readonly ctx: CFileContext } | undefined;
  private readonly transfersKey: string;

  /**
   * `macros`: the workspace's macro table, the same map the analysis is given as `cMacros`; `keepTrees`:
   * how many files' syntax trees are kept (Infinity: all, a one-off run over a known set of files).
   */
  constructor(private readonly ownershipTransfers: readonly string[] = [], private readonly macros?: MacroTable, private readonly keepTrees = KEEP_TREES) {
    this.transfersKey = ownershipTransfers.join('\n');
  }

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
    if (this.files.get(file)?.hash === textHash(text, language)) return false;
    this.install(await this.read(file, text, language));
    return true;
  }

  /**
   * Reads a file for the index without adding it (`install` adds it; `exported` gives what another
   * thread's index needs to `adopt` it): several threads can each read a part of a workspace.
   */
  async read(file: string, text: string, language: 'c' | 'cpp', parsed?: Tree): Promise<ReadFile> {
    const hash = textHash(text, language);
    if (!this.languages.has(language)) this.languages.set(language, await loadLanguage(language));
    const { tree, configs, analysed } = await this.parseAsIndexed(language, text, parsed);
    try {
      const root = tree.rootNode;
      const scan = scanFile(root, language);
      // The tree the analysis reads is repaired (a `noreturn` macro blanked): its declarations are read there.
      for (const n of await noReturnByMacroRepaired(language, tree, analysed, text, this.macros)) scan.noReturn.add(n);
      const own = fileMacros(root);
      const wrappers = macroWrappers(root);
      return { file, text, entry: this.indexFile(file, scan, own, wrappers, { hash, language, configs, analysed }), kept: { analysedHash: textHash(analysed, language), tree, scan, own, wrappers } };
    } catch (e) {
      tree.delete();
      throw e;
    }
  }

  /**
   * The tree the index reads a file's text from: the text's own tree when it has no build alternatives,
   * else its first configuration's (see preproc.ts), parsed from the text's tree. Always parsed the
   * same way, so a file read again (`adopt`) gives the very same tree. `parsed`: the text's own tree
   * parsed already (`parseForIndex`, before the macros were known), which this takes over.
   */
  private async parseAsIndexed(language: 'c' | 'cpp', text: string, parsed?: Tree): Promise<{ tree: Tree; configs: readonly string[] | null; analysed: string }> {
    if (parsed) {
      let found: readonly string[] | null;
      try {
        found = configurations(parsed.rootNode, text, language, this.macros);
      } catch (e) {
        parsed.delete();
        throw e;
      }
      return { tree: this.firstConfiguration(language, text, parsed, found), configs: found, analysed: found ? found[0]! : text };
    }
    // A file without build alternatives is read from this very tree (a copy the index keeps: not parsed twice).
    const { configs, same } = await withTree(language, text, (tree) => {
      const found = configurations(tree.rootNode, text, language, this.macros);
      return { configs: found, same: tree.copy() };
    });
    return { tree: this.firstConfiguration(language, text, same, configs), configs, analysed: configs ? configs[0]! : text };
  }

  /** `parseAsIndexed`'s tree of a text whose configurations are known (its parses, in the same order). */
  private parseAdopted(language: 'c' | 'cpp', text: string, configs: readonly string[] | null): Tree {
    return this.firstConfiguration(language, text, this.parse(language, text), configs);
  }

  /** The tree of `text`'s first configuration, parsed from the text's tree `same` (which it frees); `same` itself when there are none. */
  private firstConfiguration(language: 'c' | 'cpp', text: string, same: Tree, configs: readonly string[] | null): Tree {
    if (!configs) return same;
    try {
      return this.parse(language, configs[0]!, { tree: same, text });
    } finally {
      same.delete();
    }
  }

  /** Adds (or replaces) a file read by `read`; its tree is kept. */
  install(read: ReadFile): void {
    this.set(read.file, read.entry);
    this.keep(read.file, read.kept);
  }

  /** What another index needs to `adopt` a file this one read (plain data, for another thread). */
  static exported(read: ReadFile): ExportedFile {
    const { entry } = read;
    return {
      file: read.file, text: read.text, hash: entry.hash, language: entry.language, configs: entry.configs, analysed: entry.analysed,
      units: entry.units.map((u) => (u.macro ? { name: u.name, visible: u.visible, macro: u.macro } : { name: u.name, visible: u.visible, calls: u.calls ?? [], acquires: u.acquires ?? false, ...(u.lowered ? { lowered: u.lowered } : {}) })),
      constants: [...entry.constants], noReturn: entry.noReturn, tests: [...entry.tests],
    };
  }

  /**
   * Adds (or replaces) a file another index read (`exported`): its definitions as that index found them;
   * a function of it is lowered in a tree parsed as `read` parses it, when a summary asks.
   */
  async adopt(data: ExportedFile): Promise<void> {
    if (!this.languages.has(data.language)) this.languages.set(data.language, await loadLanguage(data.language));
    const analysedHash = textHash(data.analysed, data.language);
    const units: FunctionUnit[] = data.units.map((u) => (u.macro ? { name: u.name, file: data.file, visible: u.visible, macro: u.macro }
      : lazyUnit(u.name, data.file, u.visible, { calls: u.calls ?? [], acquires: u.acquires ?? false, ...(u.lowered ? { lowered: u.lowered } : {}) },
        () => this.lower(data.file, u.name, analysedHash), () => this.lower(data.file, u.name, analysedHash, true))));
    this.set(data.file, {
      hash: data.hash, language: data.language, configs: data.configs, analysed: data.analysed, analysedHash, units,
      constants: new Map(data.constants), noReturn: data.noReturn, tests: new Map(data.tests), text: data.text,
    });
  }

  /**
   * The kept tree and scan of the file's indexed text when `analysed` is that text: the analysis uses
   * them as they are (they stay the index's; it frees them).
   */
  kept(file: string, analysed: string, language: 'c' | 'cpp'): { readonly tree: Tree; readonly scan: FileScan; readonly own: FileMacros; readonly wrappers?: readonly MacroWrapper[] } | undefined {
    const f = this.files.get(file);
    const k = this.open.get(file);
    if (!f || !k || k.analysedHash !== f.analysedHash || f.analysedHash !== textHash(analysed, language)) return undefined;
    return k;
  }

  /** Parses `text`; with `from`, a tree of a text of the same length, incrementally from that tree (reparse.ts). */
  private parse(language: 'c' | 'cpp', text: string, from?: { tree: Tree; text: string }): Tree {
    const lang = this.languages.get(language);
    if (!lang) throw new Error(`${language} grammar not loaded`);
    this.parser ??= new Parser();
    this.parser.setLanguage(lang);
    const replacements = from && sameLengthReplacements(from.text, text);
    const tree = from && replacements ? reparse(this.parser, from.tree, from.text, replacements, text) : this.parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  }

  /** Keeps a file's tree (most recently used last); the oldest beyond `keepTrees` are freed, never the lent file's. */
  private keep(file: string, k: KeptTree): void {
    const old = this.open.get(file);
    if (old && old !== k) old.tree.delete();
    this.open.delete(file);
    this.open.set(file, k);
    for (const [f, o] of this.open) {
      if (this.open.size <= this.keepTrees) break;
      if (f === file || f === this.lent?.file) continue;
      o.tree.delete();
      this.open.delete(f);
    }
  }

  /**
   * The build configurations of the file as indexed, when `text` is what it holds and `macros` the table
   * it was indexed with: the analysis need not parse the text to find them again.
   */
  configurationsOf(file: string, text: string, language: 'c' | 'cpp', macros: MacroTable | undefined): readonly string[] | null | undefined {
    const f = this.files.get(file);
    if (!f || macros !== this.macros || f.hash !== textHash(text, language)) return undefined;
    return f.configs;
  }

  /**
   * Does the index hold the file read from exactly `analysed` (its first configuration, same language)
   * with these ownership transfers? Then its units are the functions an analysis of that text sees.
   */
  holdsAnalysed(file: string, analysed: string, language: 'c' | 'cpp', ownershipTransfers: readonly string[] | undefined): boolean {
    const f = this.files.get(file);
    return !!f && (ownershipTransfers ?? []).join('\n') === this.transfersKey && f.analysedHash === textHash(analysed, language);
  }

  /**
   * While an analysis of the file's indexed text runs (`holdsAnalysed`), its context lowers the file's
   * functions for their summaries (one parse and one lowering serve both); `undefined` ends it.
   */
  lend(file: string, ctx: CFileContext | undefined): void {
    this.lent = ctx ? { file, ctx } : undefined;
  }

  /** Frees the trees kept for lowering (the index stays usable: they are parsed again when needed). */
  dispose(): void {
    for (const o of this.open.values()) o.tree.delete();
    this.open.clear();
    this.parser?.delete();
    this.parser = undefined;
  }

  /**
   * The indexed files whose text mentions `name` (callerExits.ts): each build configuration's text (the
   * first is the one the tree is read from) and a way to use the file's tree (kept, or parsed again).
   */
  filesMentioning(name: string): { file: string; texts: readonly string[]; withRoot<T>(use: (root: Node) => T): T | undefined }[] {
    const out: { file: string; texts: readonly string[]; withRoot<T>(use: (root: Node) => T): T | undefined }[] = [];
    for (const [file, entry] of this.files) {
      const texts = entry.configs ?? [entry.analysed];
      if (!texts.some((t) => t.includes(name))) continue;
      out.push({ file, texts, withRoot: <T>(use: (root: Node) => T) => this.withTreeOf(file, entry, use) });
    }
    return out;
  }

  /** `use` of the tree of the file's indexed text (kept, or parsed again and kept as `lower` does). */
  private withTreeOf<T>(file: string, entry: IndexedFile, use: (root: Node) => T): T | undefined {
    if (this.files.get(file) !== entry) return undefined;
    let k = this.open.get(file);
    if (k?.analysedHash !== entry.analysedHash) {
      const tree = entry.text !== undefined ? this.parseAdopted(entry.language, entry.text, entry.configs) : this.parse(entry.language, entry.analysed);
      k = { analysedHash: entry.analysedHash, tree, scan: scanFile(tree.rootNode, entry.language), own: fileMacros(tree.rootNode) };
      this.keep(file, k);
    }
    return use(k.tree.rootNode);
  }

  /** The indexed definition (or macro) of `name` in `file`. */
  unitIn(file: string, name: string): FunctionUnit | undefined {
    return this.units.unitIn(file, name);
  }

  remove(file: string): void {
    if (this.files.has(file)) this.set(file, undefined);
  }

  candidates(name: string, file: string): readonly FunctionUnit[] {
    return this.units.candidates(name, file);
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

  /**
   * The validity test (validityTests.ts) a call of `name` from `file` makes: every definition the call may
   * reach is one, the same test; else undefined.
   */
  validityTest(name: string, file: string): ValidityTest | undefined {
    let out: ValidityTest | undefined;
    for (const u of this.units.candidates(name, file)) {
      const t = this.files.get(u.file)?.tests.get(name);
      if (!t || (out && validityKey(out) !== validityKey(t))) return undefined;
      out = t;
    }
    return out;
  }

  /** The workspace's constants, as a cache key. */
  constantsKey(): string {
    const m = this.constants();
    if (this.keyMemo?.map !== m) {
      // Hashed: every function's key holds it, and a large workspace has thousands of constants.
      const all = [...m].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `${k}=${v}`).join(',');
      this.keyMemo = { map: m, key: createHash('sha1').update(all).digest('hex') };
    }
    return this.keyMemo.key;
  }

  private keyMemo: { map: ReadonlyMap<string, number>; key: string } | undefined;

  /** The file's own macros over the workspace's constants (the file's own definitions win). */
  macrosFor(own: FileMacros): FileMacros {
    const ws = this.constants();
    if (!ws.size) return own;
    return { ...own, constants: new Map([...ws, ...own.constants]) };
  }

  /** A resolver over this index (its summaries are cached in the index across resolvers). */
  resolver(deadline?: number): SummaryResolver {
    return new SummaryResolver(this, this.store, deadline);
  }

  private set(file: string, entry: IndexedFile | undefined): void {
    const old = this.files.get(file);
    this.open.get(file)?.tree.delete();
    this.open.delete(file);
    this.units.replace(old?.units ?? [], entry?.units ?? []);
    if (entry) this.files.set(file, entry);
    else this.files.delete(file);
    this.generation++;
  }

  private indexFile(file: string, scan: FileScan, own: FileMacros, wrappers: readonly MacroWrapper[], base: Pick<IndexedFile, 'hash' | 'language' | 'configs' | 'analysed'>): IndexedFile {
    const header = isHeader(file);
    const analysedHash = textHash(base.analysed, base.language);
    const units: FunctionUnit[] = [];
    for (const [name, def] of scan.definitions) {
      units.push(lazyUnit(name, file, header || !isStatic(def), callsOf(scan, def), () => this.lower(file, name, analysedHash), () => this.lower(file, name, analysedHash, true)));
    }
    const defined = new Set(units.map((u) => u.name));
    for (const w of wrappers) {
      if (!defined.has(w.name)) units.push({ name: w.name, file, visible: true, macro: { target: w.target, args: w.args } });
    }
    return {
      ...base, analysedHash, units, constants: own.constants, noReturn: noReturnFacts(scan, wrappers, (def) => header || !isStatic(def)),
      tests: fileValidityTests(scan.definitions),
    };
  }

  /**
   * Lowers `name` of `file` as indexed: in the lent analysis context, or in a kept or new tree of the file.
   * `returnsOnly`: only the ops `returnSources` reads (CFileContext.returnIrOf).
   */
  private lower(file: string, name: string, analysedHash: string, returnsOnly = false): FunctionIr {
    const entry = this.files.get(file);
    if (!entry || entry.analysedHash !== analysedHash) throw new Error(`${file} was re-indexed`);
    if (this.lent?.file === file) return this.lent.ctx.irOfName(name, returnsOnly);
    let k = this.open.get(file);
    if (k?.analysedHash !== analysedHash) {
      // An adopted file: parsed as the index that read it parsed it (the same tree, so the same lowering).
      const tree = entry.text !== undefined ? this.parseAdopted(entry.language, entry.text, entry.configs) : this.parse(entry.language, entry.analysed);
      k = { analysedHash, tree, scan: scanFile(tree.rootNode, entry.language), own: fileMacros(tree.rootNode) };
    }
    this.keep(file, k);
    // The file's macros over the workspace's constants as they are when its first function is lowered.
    k.ctx ??= new CFileContext(k.scan, this.ownershipTransfers, undefined, withTableHints(this.macrosFor(k.own), this.macros, k.tree.language), { index: this, file }, undefined, this.macros);
    return k.ctx.irOfName(name, returnsOnly);
  }
}

function textHash(text: string, language: string): string {
  return createHash('sha1').update(language).update('\0').update(text).digest('hex');
}
