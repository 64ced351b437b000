import type { Node } from 'web-tree-sitter';
import type { FileScan } from './scan';
import { declaratorName, fieldPath, strip } from './syntax';

/**
 * The file-scope variables whose value a function may follow like a local's (engine/facts.ts), so
 * that two tests of one global (`if (family == AF_UNIX) s = unix_listen(…)`, later
 * `if (family != AF_UNIX) s = tcp_listen(…)`) are correlated: a variable declared at file scope,
 * not `volatile` (a signal handler may change it), whose address the file never takes (no pointer
 * may change it behind the function's back).
 *
 * A function changes it where it assigns it, and where it calls a function of the file that assigns
 * it (directly or through the file's functions it calls) or a function through a pointer (which may
 * be any of them). A library call or a function of another file is taken to leave it as it is: the
 * analysis cannot see such a change, and a path that needs one is not reported.
 */
export class FileGlobals {
  private readonly memo = new Map<string, ReadonlySet<string>>();
  private everyWritten: ReadonlySet<string> | undefined;
  private escaped: ReadonlySet<string> | undefined;
  private pointers: ReadonlySet<string> | undefined;
  private readonly changed = new Map<number, ReadonlySet<string>>();
  private readonly ownChanges = new Map<number, readonly string[]>();
  private readonly declared = new Map<number, ReadonlySet<string>>();
  private changedByAll: ReadonlySet<string> | undefined;

  constructor(private readonly scan: FileScan) {}

  /** Is `name` a variable of the file (followable or not)? */
  isVariable(name: string): boolean {
    return this.scan.fileVariables.has(name);
  }

  /** The variables `fn` assigns (any operator) or steps, as the file scan found them. */
  writesOf(fn: Node): readonly Node[] {
    return this.scan.written.get(fn.id) ?? [];
  }

  /** Can a function whose own variables do not include `name` follow the global `name`? */
  followable(name: string): boolean {
    return this.scan.fileVariables.has(name) && !this.scan.addressed.has(name);
  }

  /**
   * The file's globals a call may change: those the file's function `callee` (or the functions of the
   * file it calls) assigns, every one some function of the file assigns for a call through a pointer
   * (`callee` null), none for a function the file does not define.
   */
  writtenBy(callee: string | null): ReadonlySet<string> {
    if (callee === null) return (this.everyWritten ??= new Set([...this.scan.written.values()].flatMap((list) => list.map((w) => w.text)).filter((n) => this.followable(n))));
    let out = this.memo.get(callee);
    if (out) return out;
    const found = new Set<string>();
    const seen = new Set<string>([callee]);
    const queue = [callee];
    while (queue.length) {
      const def = this.scan.definitions.get(queue.pop()!);
      if (!def) continue;
      for (const w of this.scan.written.get(def.id) ?? []) if (this.followable(w.text)) found.add(w.text);
      for (const e of this.scan.effects.get(def.id) ?? []) {
        if (e.kind !== 'call') continue;
        if (e.callee === null) {
          for (const n of this.writtenBy(null)) found.add(n);
        } else if (!seen.has(e.callee)) {
          seen.add(e.callee);
          queue.push(e.callee);
        }
      }
    }
    this.memo.set(callee, (out = found));
    return out;
  }

  /**
   * Can a function that declares no variable `root` follow the field `root.field` of the file-scope
   * variable `root` like a local (`if (!plugin_watcher.valid) closesocket(fd);` after a loop that set it)?
   * In C only, when `root` is a variable of the file (not `volatile`) whose type the file shows to be a
   * struct (no union: its fields do not share storage), no field `field` of the file is declared
   * `volatile`, and the file gives away the address of neither the variable nor the field other than to
   * a function it does not define (as countUnchanged). What changes it in a function is read by the
   * lowering: assignments and steps of the field or the variable, its address taken, and the calls
   * whose callee may change it (fieldsChangedBy).
   */
  fieldFollowable(root: string, field: string): boolean {
    if (this.scan.language !== 'c' || !this.scan.fileVariables.has(root)) return false;
    const tree = this.scan.functions[0]?.tree.rootNode;
    if (!tree) return false;
    const facts = this.structFacts(tree);
    if (!facts.structs.has(root) || facts.volatileFields.has(field)) return false;
    const escaped = this.escapedPaths(tree);
    const path = `${root}.${field}`;
    for (const p of escaped) if (p === root || p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`) || p.startsWith(`${path}-`)) return false;
    return true;
  }

  /**
   * The variables and fields (`V`, `V.f`: a longer path cut at its second field, at `->` and `[`) that a
   * call may change: those the file's function `callee` and the functions of the file it reaches assign,
   * step or take the address of; every function's for a call through a pointer (`callee` null); none for
   * a function the file does not define.
   */
  fieldsChangedBy(callee: string | null): ReadonlySet<string> {
    const key = callee ?? '';
    let out = this.fieldMemo.get(key);
    if (out) return out;
    const def = callee === null ? undefined : this.scan.definitions.get(callee);
    const changes = callee === null ? this.changedByEvery() : def ? this.changesIn(this.reachedFrom(def)) : new Set<string>();
    out = new Set([...changes].map(shortPath));
    this.fieldMemo.set(key, out);
    return out;
  }

  private readonly fieldMemo = new Map<string, ReadonlySet<string>>();
  private structInfo: { readonly structs: ReadonlySet<string>; readonly volatileFields: ReadonlySet<string> } | undefined;

  /**
   * The file-scope variables whose type the file shows to be a struct (`struct t {…} v;`, `struct t v;`,
   * `T v;` with `typedef struct … T;` in the file), and the field names some struct of the file declares `volatile`.
   */
  private structFacts(root: Node): { readonly structs: ReadonlySet<string>; readonly volatileFields: ReadonlySet<string> } {
    if (this.structInfo) return this.structInfo;
    const atFileScope = (n: Node) => n.parent !== null && FILE_SCOPE.has(n.parent.type);
    const structTypes = new Set<string>();
    const unionTypes = new Set<string>();
    for (const t of root.descendantsOfType('type_definition')) {
      if (!t || !atFileScope(t)) continue;
      const type = t.childForFieldName('type')?.type;
      for (const d of t.childrenForFieldName('declarator')) {
        if (d?.type !== 'type_identifier') continue;
        if (type === 'struct_specifier') structTypes.add(d.text);
        else unionTypes.add(d.text);
      }
    }
    const structs = new Set<string>();
    const other = new Set<string>();
    for (const decl of root.descendantsOfType('declaration')) {
      if (!decl || !atFileScope(decl)) continue;
      const type = decl.childForFieldName('type');
      const isStruct = type?.type === 'struct_specifier' || (type?.type === 'type_identifier' && structTypes.has(type.text) && !unionTypes.has(type.text));
      for (const d of decl.childrenForFieldName('declarator')) {
        // The variable itself, not a pointer to it nor an array of it.
        const name = d?.type === 'identifier' ? d.text : d?.type === 'init_declarator' && d.childForFieldName('declarator')?.type === 'identifier' ? d.childForFieldName('declarator')!.text : null;
        if (name === null) continue;
        (isStruct ? structs : other).add(name);
      }
    }
    for (const n of other) structs.delete(n);
    const volatileFields = new Set<string>();
    for (const f of root.descendantsOfType('field_declaration')) {
      if (!f || !f.children.some((c) => c?.type === 'type_qualifier' && c.text === 'volatile')) continue;
      for (const d of f.childrenForFieldName('declarator')) {
        const name = d ? declaratorName(d)?.name : undefined;
        if (name) volatileFields.add(name);
      }
    }
    return (this.structInfo = { structs, volatileFields });
  }

  /**
   * Does nothing the analysis can see change the count `prefixes` names (a file-scope variable `root`
   * of a C file, or a field of it read with `.`: `settings.workers` with its prefixes `settings`,
   * `settings.workers`) from the start of `fn` on? Not when `fn` declares a variable of that name
   * (a parameter, a local, a static local), nor when `fn` or a function of the file it calls assigns,
   * steps or takes the address of the count or of the struct holding it (a call through a pointer may
   * be any function of the file), nor when the file gives that address away anywhere else than to a
   * function it does not define (a pointer the file keeps may be written through: `*g = …`, `g->n = …`).
   * C++ is left out: a name there may be a member read without `this` or a capture.
   */
  countUnchanged(fn: Node, root: string, prefixes: ReadonlySet<string>): boolean {
    if (this.scan.language !== 'c' || !this.scan.fileVariables.has(root)) return false;
    if (this.declaredIn(fn).has(root)) return false;
    const changed = this.changedFrom(fn);
    for (const p of prefixes) if (changed.has(p)) return false;
    const escaped = this.escapedPaths(fn.tree.rootNode);
    for (const p of prefixes) if (escaped.has(p)) return false;
    return true;
  }

  /** The variables and field paths `fn` and the functions of the file it calls assign, step or take the address of (once per function). */
  private changedFrom(fn: Node): ReadonlySet<string> {
    const known = this.changed.get(fn.id);
    if (known) return known;
    const reached = this.reachedFrom(fn);
    const out = reached === this.scan.functions ? this.changedByEvery() : this.changesIn(reached);
    this.changed.set(fn.id, out);
    return out;
  }

  /** What every function of the file assigns, steps or takes the address of (once per file). */
  private changedByEvery(): ReadonlySet<string> {
    return (this.changedByAll ??= this.changesIn(this.scan.functions));
  }

  /** The variables and field paths `functions` assign, step or take the address of. */
  private changesIn(functions: readonly Node[]): ReadonlySet<string> {
    const out = new Set<string>();
    for (const f of functions) for (const p of this.changesOf(f)) out.add(p);
    return out;
  }

  /** The variables and field paths `f` itself assigns, steps or takes the address of (once per function). */
  private changesOf(f: Node): readonly string[] {
    let out = this.ownChanges.get(f.id);
    if (out) return out;
    const found: string[] = [];
    for (const w of f.descendantsOfType(['assignment_expression', 'update_expression', 'pointer_expression'])) {
      if (!w || (w.type === 'pointer_expression' && w.child(0)?.type !== '&')) continue;
      const target = strip(w.childForFieldName(w.type === 'assignment_expression' ? 'left' : 'argument'));
      if (target && (target.type === 'identifier' || target.type === 'field_expression')) found.push(fieldPath(target));
    }
    // A function that names a file-scope table holding addresses (`.addr = &instance.daemon`) may write through them.
    const tables = this.tableAddresses(f.tree.rootNode);
    if (tables.size) {
      for (const id of f.descendantsOfType('identifier')) {
        const paths = id ? tables.get(id.text) : undefined;
        if (paths) found.push(...paths);
      }
    }
    this.ownChanges.set(f.id, (out = found));
    return out;
  }

  /** The names `fn` declares: parameters, locals, static locals (once per function). */
  private declaredIn(fn: Node): ReadonlySet<string> {
    let out = this.declared.get(fn.id);
    if (out) return out;
    const found = new Set<string>();
    for (const d of fn.descendantsOfType(['declaration', 'parameter_declaration'])) {
      if (!d) continue;
      for (const v of d.childrenForFieldName('declarator')) {
        const name = v ? variableName(v) : null;
        if (name !== null) found.add(name);
      }
    }
    this.declared.set(fn.id, (out = found));
    return out;
  }

  /**
   * `fn` and the functions of the file it calls, directly or not; every one of them after a call
   * through a pointer (`(*cb)()`, `ops->run()`, or a variable called by name: `hook()`, `cb()`).
   */
  private reachedFrom(fn: Node): readonly Node[] {
    const out = [fn];
    const seen = new Set<number>([fn.id]);
    for (let i = 0; i < out.length; i++) {
      for (const e of this.scan.effects.get(out[i]!.id) ?? []) {
        if (e.kind !== 'call') continue;
        const def = e.callee === null ? undefined : this.scan.definitions.get(e.callee);
        if (e.callee === null || (!def && (this.fileVariableNamed(e.callee) || this.declaredIn(out[i]!).has(e.callee)))) return this.scan.functions;
        if (def && !seen.has(def.id)) {
          seen.add(def.id);
          out.push(def);
        }
      }
    }
    return out;
  }

  /** Is `name` a file-scope variable, a function pointer (`void (*hook)(void);`) included? */
  private fileVariableNamed(name: string): boolean {
    if (this.scan.fileVariables.has(name)) return true;
    if (!this.pointers) {
      const out = new Set<string>();
      for (const d of this.scan.functions[0]?.tree.rootNode.namedChildren ?? []) {
        if (d?.type === 'declaration') for (const v of d.childrenForFieldName('declarator')) if (v) out.add(variableName(v) ?? '');
      }
      this.pointers = out;
    }
    return this.pointers.has(name);
  }

  /**
   * The variables and field paths (`settings`, `settings.port`) whose address the file takes other
   * than as an argument of a call of a function it does not define (`storage_init_config(&settings)`:
   * what another file does with it is not seen, as with any of its calls).
   */
  private escapedPaths(root: Node): ReadonlySet<string> {
    if (this.escaped) return this.escaped;
    const out = new Set<string>();
    for (const p of root.descendantsOfType('pointer_expression')) {
      if (!p || p.child(0)?.type !== '&') continue;
      const target = strip(p.childForFieldName('argument'));
      if (!target || (target.type !== 'identifier' && target.type !== 'field_expression')) continue;
      const call = p.parent?.type === 'argument_list' ? p.parent.parent : null;
      const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : null;
      if (callee?.type === 'identifier' && !this.scan.definitions.has(callee.text)) continue;
      // Stored in a file-scope table's initializer: a change by the functions that name the table (changesOf).
      if (inFileScopeInitializer(p)) continue;
      out.add(fieldPath(target));
    }
    return (this.escaped = out);
  }

  /**
   * The addresses of file variables and fields that braced file-scope initializers store (`static parser_entry
   * entries[] = { { .key = "daemon", .addr = &instance.daemon }, … };`), by the file-scope variable that
   * holds them, directly or through the initializer of another (`static parser_section section = {
   * .entries = entries };` holds those of `entries` too). The address is a constant in that table: only
   * code that reads the table can write through it, so a function of the file that names the table (or
   * a table holding it) changes those paths, and the functions of other files are taken to leave them as
   * they are, as with any call of theirs (what this file gives them is not seen). Without this, one such
   * table (a configuration parser's, set once at start-up) made every field it names unfollowable.
   */
  private tableAddresses(root: Node): ReadonlyMap<string, readonly string[]> {
    if (this.tables) return this.tables;
    const own = new Map<string, Set<string>>();
    const refs = new Map<string, Set<string>>();
    for (const decl of root.descendantsOfType('declaration')) {
      if (!decl || !decl.parent || !FILE_SCOPE.has(decl.parent.type)) continue;
      for (const d of decl.childrenForFieldName('declarator')) {
        if (d?.type !== 'init_declarator') continue;
        const name = declaratorName(d.childForFieldName('declarator'))?.name;
        const value = d.childForFieldName('value');
        if (!name || !value) continue;
        const paths = own.get(name) ?? new Set<string>();
        for (const p of value.descendantsOfType('pointer_expression')) {
          if (!p || p.child(0)?.type !== '&' || !inFileScopeInitializer(p)) continue;
          const target = strip(p.childForFieldName('argument'));
          if (target && (target.type === 'identifier' || target.type === 'field_expression')) paths.add(fieldPath(target));
        }
        own.set(name, paths);
        const named = refs.get(name) ?? new Set<string>();
        for (const id of value.descendantsOfType('identifier')) if (id && id.text !== name) named.add(id.text);
        refs.set(name, named);
      }
    }
    // Each table with the addresses of the tables its initializer names, to a fixed point.
    const out = new Map<string, Set<string>>();
    for (const [name, paths] of own) out.set(name, new Set(paths));
    for (let changed = true; changed;) {
      changed = false;
      for (const [name, named] of refs) {
        const mine = out.get(name)!;
        for (const other of named) {
          for (const p of out.get(other) ?? []) {
            if (!mine.has(p)) {
              mine.add(p);
              changed = true;
            }
          }
        }
      }
    }
    const result = new Map<string, readonly string[]>();
    for (const [name, paths] of out) if (paths.size) result.set(name, [...paths]);
    return (this.tables = result);
  }

  private tables: ReadonlyMap<string, readonly string[]> | undefined;

  /**
   * What a function's analysis may depend on besides its text and its callees' (which its cache key
   * holds): the followable globals, and which of them some function of the file assigns (what a call
   * through a pointer changes). Changes only when a global is declared, has its address taken, or
   * gets its first or loses its last assignment. In C also what countUnchanged reads beyond the
   * function and its callees: the file-scope variables and fields some function of the file changes
   * (a call through a pointer may be any of them) and those whose address the file keeps.
   */
  signature(): string {
    const names = [...this.scan.fileVariables].filter((n) => this.followable(n)).sort();
    const written = this.writtenBy(null);
    const own = names.map((n) => (written.has(n) ? `${n}=` : n)).join(',');
    if (this.scan.language !== 'c' || this.scan.fileVariables.size === 0) return own;
    const root = this.scan.functions[0]?.tree.rootNode;
    const ofFile = (paths: ReadonlySet<string>): string =>
      [...paths].filter((p) => this.scan.fileVariables.has(p.split('.')[0]!)).sort().join(',');
    const structs = root ? this.structFacts(root) : undefined;
    const facts = structs ? `${[...structs.structs].sort().join(',')}|${[...structs.volatileFields].sort().join(',')}` : '';
    return `${own}|${ofFile(this.changedByEvery())}|${root ? ofFile(this.escapedPaths(root)) : ''}|${facts}`;
  }
}

const FILE_SCOPE: ReadonlySet<string> = new Set(['translation_unit', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif']);

/**
 * Is `n` inside the braced initializer of a file-scope declaration (a table or struct of entries, outside
 * every function)? Not a pointer variable's own value (`struct config *cfgp = &settings;`): such a
 * variable is an alias of the file, meant to be written through wherever it is in scope.
 */
function inFileScopeInitializer(n: Node): boolean {
  let braced = false;
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'compound_statement') return false;
    if (p.type === 'init_declarator') return braced && p.parent?.type === 'declaration' && !!p.parent.parent && FILE_SCOPE.has(p.parent.parent.type);
    if (p.type === 'initializer_list') braced = true;
  }
  return false;
}

/** A changed path as the lowering follows fields: `V.f.g`, `V.f->g`, `V.f[i]` change `V.f`. */
function shortPath(p: string): string {
  const cut = p.search(/->|\[/);
  const head = cut < 0 ? p : p.slice(0, cut);
  const parts = head.split('.');
  return parts.length > 2 ? `${parts[0]}.${parts[1]}` : head;
}

/** The variable a declarator declares, a function pointer (`(*cb)(int)`) included; null for a function. */
function variableName(d: Node): string | null {
  let x: Node | null = d.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
  if (x?.type !== 'function_declarator') return declaratorName(d)?.name ?? null;
  while (x?.type === 'function_declarator') x = x.childForFieldName('declarator');
  return x?.type === 'parenthesized_declarator' ? (declaratorName(x)?.name ?? null) : null;
}
