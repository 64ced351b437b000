/**
 * The other files of a Go file's package, for the CLI and the editor's worker: a Go package is the
 * `.go` files of one folder, so the analysis of a file uses the declarations of its siblings (see
 * lang/go/packageDecls.ts). Read lazily, the first time a file of that folder is analysed, and kept
 * per file until its size or modification time changes. Test files (`_test.go`) belong to the package
 * only for the analysis of test files.
 *
 * Packages the file imports from its own module are found the way the go command finds them: the
 * nearest `go.mod` above the file names the module path, and an import path under it is the folder
 * at the rest of the path (`module example.com/app` + `example.com/app/pkg/k8sutil` is
 * `<module root>/pkg/k8sutil`), unless a nested `go.mod` makes that folder another module. A
 * `replace` directive of that go.mod to a local folder (`=> ../client`) adds that module. A file with
 * no go.mod above it (a GOPATH-era repository) is read as the go command read it then: see
 * `gopathFolders`. Imports from anywhere else (the module cache, other repositories) stay unknown.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fileDecls, importableFiles, importedDecls, type GoFileDecls } from './lang/go/packageDecls';
import type { PackageDecls } from './lang/go/types';
import { loadSourceAsync } from './workspace';

/** Folders with more Go files than this are read only up to it (generated code). */
const MAX_SIBLINGS = 400;
/** A go.mod larger than this is not read. */
const MAX_GO_MOD = 1024 * 1024;

/** Folders above a file searched for its go.mod. */
const MAX_MODULE_DEPTH = 32;

interface Entry {
  readonly stamp: string;
  readonly decls: GoFileDecls | null;
}

/** A go.mod: its module path and the local folders its `replace` directives give other modules. */
export interface Module {
  readonly root: string;
  readonly path: string;
  readonly replaced: ReadonlyMap<string, string>;
}

export class GoPackages {
  private readonly files = new Map<string, Entry>();
  private readonly modules = new Map<string, { stamp: string; module: Module | null }>();
  private readonly imported = new Map<string, { stamp: string; decls: PackageDecls | null }>();

  /**
   * The declarations of the packages `file` imports that are folders of its module or of a module its
   * go.mod replaces with a local folder, by import path; others are absent. The imports are the file's
   * as saved (its parse is kept like a sibling's): an import added in an unsaved edit is unknown until
   * then, which only leaves its helpers unknown.
   */
  async imports(file: string): Promise<Map<string, PackageDecls>> {
    const out = new Map<string, PackageDecls>();
    const abs = path.resolve(file);
    const mod = this.moduleAbove(path.dirname(abs));
    const own = await this.decls(abs);
    const imports = own?.imports ?? [];
    const gopath = mod ? null : gopathFolders(path.dirname(abs), imports);
    for (const p of imports) {
      const dir = mod ? this.folderOf(mod, p) : (gopath!.get(p) ?? null);
      const decls = dir ? await this.packageAt(dir, p) : null;
      if (decls) out.set(p, decls);
    }
    return out;
  }

  /** The folder of import path `p` in module `mod` (or a module it replaces locally), or null. */
  private folderOf(mod: Module, p: string): string | null {
    const within = (m: Module): string | null => {
      if (p !== m.path && !p.startsWith(m.path + '/')) return null;
      const dir = path.join(m.root, ...p.slice(m.path.length).split('/').filter((x) => x));
      // A folder under a nested go.mod belongs to that module, not to this one.
      return this.moduleAbove(dir)?.root === m.root ? dir : null;
    };
    const own = within(mod);
    if (own) return own;
    for (const [modPath, dir] of mod.replaced) {
      if (p !== modPath && !p.startsWith(modPath + '/')) continue;
      const other = this.moduleAt(dir);
      if (other && other.path === modPath) return within(other);
    }
    return null;
  }

  /** The module whose go.mod is in `dir` or the nearest folder above it, or null. */
  private moduleAbove(dir: string): Module | null {
    let d = dir;
    for (let i = 0; i < MAX_MODULE_DEPTH; i++) {
      const m = this.moduleAt(d);
      if (m) return m;
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
    return null;
  }

  /** The module of `dir/go.mod`, or null when there is none (or it names no module). */
  private moduleAt(dir: string): Module | null {
    const file = path.join(dir, 'go.mod');
    let stamp: string;
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > MAX_GO_MOD) return null;
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
      return null;
    }
    const known = this.modules.get(file);
    if (known?.stamp === stamp) return known.module;
    let module: Module | null = null;
    try {
      module = parseGoMod(fs.readFileSync(file, 'utf8'), dir);
    } catch {
      module = null;
    }
    this.modules.set(file, { stamp, module });
    return module;
  }

  /** The declarations the package in `dir` gives an importer under import path `p` (its non-test files). */
  private async packageAt(dir: string, p: string): Promise<PackageDecls | null> {
    const files = await this.folderDecls(dir, false);
    if (!files) return null;
    const stamp = `${p}\n${files.map((f) => f.fingerprint).join('\n')}`;
    const key = `${dir}\0${p}`;
    const known = this.imported.get(key);
    if (known?.stamp === stamp) return known.decls;
    const pkg = importableFiles(files);
    const decls = pkg.length ? importedDecls(pkg, p) : null;
    this.imported.set(key, { stamp, decls });
    return decls;
  }

  /** The declarations of the other Go files of `file`'s folder (test files only for a test file). */
  async siblings(file: string): Promise<GoFileDecls[]> {
    const abs = path.resolve(file);
    const dir = path.dirname(abs);
    return (await this.folderDecls(dir, abs.endsWith('_test.go'), abs)) ?? [];
  }

  /**
   * The declarations of the Go files of `dir` (the first MAX_SIBLINGS by name; test files only with
   * `tests`), but `except`; null when the folder cannot be read.
   */
  private async folderDecls(dir: string, tests: boolean, except?: string): Promise<GoFileDecls[] | null> {
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.go') && (tests || !n.endsWith('_test.go'))).sort().slice(0, MAX_SIBLINGS);
    } catch {
      return null;
    }
    const out: GoFileDecls[] = [];
    for (const n of names) {
      const p = path.join(dir, n);
      if (p === except) continue;
      const d = await this.decls(p);
      if (d) out.push(d);
    }
    return out;
  }

  private async decls(p: string): Promise<GoFileDecls | null> {
    let stamp: string;
    try {
      const st = fs.statSync(p);
      if (!st.isFile()) return null;
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
      return null;
    }
    const known = this.files.get(p);
    if (known?.stamp === stamp) return known.decls;
    const loaded = await loadSourceAsync(p);
    let decls: GoFileDecls | null = null;
    if (loaded.ok && !loaded.text.includes('\u0000')) {
      try {
        decls = await fileDecls(loaded.text);
      } catch {
        decls = null;
      }
    }
    this.files.set(p, { stamp, decls });
    return decls;
  }
}

/**
 * The module path and local replacements of a go.mod's text (its `module` and `replace` directives,
 * single or in a block; a replacement counts only when its target is a local folder: `./x`, `../x`).
 */
export function parseGoMod(text: string, root: string): Module | null {
  let modPath: string | null = null;
  const replaced = new Map<string, string>();
  let block: string | null = null;
  const unquote = (w: string) => (w.startsWith('"') && w.endsWith('"') && w.length > 1 ? w.slice(1, -1) : w.startsWith('`') && w.endsWith('`') && w.length > 1 ? w.slice(1, -1) : w);
  const replace = (words: readonly string[]) => {
    const arrow = words.indexOf('=>');
    if (arrow < 1 || arrow + 1 >= words.length) return;
    const from = unquote(words[0]!);
    const to = unquote(words[arrow + 1]!);
    // `=> ../x` (a folder); `=> example.com/x v1.2.3` is another module version, not a folder here.
    if ((to.startsWith('./') || to.startsWith('../')) && arrow + 2 === words.length) replaced.set(from, path.resolve(root, to));
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    if (block) {
      if (line === ')') block = null;
      else if (block === 'replace') replace(line.split(/\s+/));
      continue;
    }
    const words = line.split(/\s+/);
    if (words[1] === '(' && words.length === 2) {
      block = words[0]!;
      continue;
    }
    if (words[0] === 'module' && words.length === 2) modPath = unquote(words[1]!);
    else if (words[0] === 'replace') replace(words.slice(1));
  }
  return modPath ? { root, path: modPath, replaced } : null;
}

/**
 * The folders of a GOPATH-era file's imports (no go.mod above it), found as the go command found them
 * then: first `vendor/<import path>` in the file's folder or a folder above it (innermost first); then
 * the repository's own packages. A repository checked out at `$GOPATH/src/<prefix>` imports its own
 * packages as `<prefix>/<folder>`, and the checkout may sit anywhere (and the repository may have been
 * renamed since), so the prefix is inferred: an import `Q/R` whose `R` is a folder with Go files under
 * one of the file's ancestor folders `A` votes for the pair (Q, A), and the pair that explains the most
 * imports is the repository's (a tie resolves nothing: a guess could read another project's package).
 * Ancestors are searched up to a folder holding `.git`.
 */
export function gopathFolders(fileDir: string, imports: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const ancestors: string[] = [];
  for (let d = fileDir, i = 0; i < MAX_MODULE_DEPTH; i++) {
    ancestors.push(d);
    const up = path.dirname(d);
    if (up === d || isDir(path.join(d, '.git'))) break;
    d = up;
  }
  const votes = new Map<string, { prefix: string; root: string; found: Map<string, string> }>();
  for (const p of imports) {
    const parts = p.split('/');
    // The standard library's paths have no dot in their first element; a repository's start with a host.
    if (!parts[0]!.includes('.') || parts.some((x) => x === '' || x === '.' || x === '..')) continue;
    const vendored = ancestors.map((a) => path.join(a, 'vendor', ...parts)).find(hasGoFiles);
    if (vendored) {
      out.set(p, vendored);
      continue;
    }
    // The longest suffix that is a folder under an ancestor (innermost first): the prefix is the rest.
    for (let j = 1; j < parts.length; j++) {
      const root = ancestors.find((a) => hasGoFiles(path.join(a, ...parts.slice(j))));
      if (!root) continue;
      const prefix = parts.slice(0, j).join('/');
      const key = `${prefix}\0${root}`;
      let v = votes.get(key);
      if (!v) votes.set(key, (v = { prefix, root, found: new Map() }));
      v.found.set(p, path.join(root, ...parts.slice(j)));
      break;
    }
  }
  const ranked = [...votes.values()].sort((a, b) => b.found.size - a.found.size);
  const best = ranked[0];
  if (best && (ranked.length === 1 || ranked[1]!.found.size < best.found.size)) {
    for (const [p, dir] of best.found) out.set(p, dir);
  }
  return out;
}

function isDir(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** A folder holding at least one non-test Go file. */
function hasGoFiles(dir: string): boolean {
  if (!isDir(dir)) return false;
  try {
    return fs.readdirSync(dir).some((n) => n.endsWith('.go') && !n.endsWith('_test.go'));
  } catch {
    return false;
  }
}
