/**
 * The other modules of a Python file's project, for the CLI and the editor's worker (issue 13): the
 * module-level functions of the modules a file imports from its own repository that return a new
 * socket (lang/python/projectModules.ts says when), so that a call to one acquires
 * it like a call to a function of the file.
 *
 * Modules are found the way Python finds them for code run from the project: an absolute import
 * (`import tornado.netutil`, `from tornado import netutil`) from the folder above the file's topmost
 * package (the highest folder of an unbroken chain of `__init__.py` folders above the file; the file's
 * own folder when it is in no package), a relative one (`from .netutil import bind_sockets`,
 * `from . import netutil`) from the file's package. A module is `a/b/c.py` or `a/b/c/__init__.py`
 * there. Anything not found there (the standard library, installed packages, a module of another
 * project) stays unknown, as do functions of a module that call other modules' functions. The file
 * checked is read from the text being analysed (the editor's buffer); the other files as saved, lazily,
 * and kept while their size and modification time do not change (parsed without taking a place in the
 * worker's tree cache).
 */
import type { Tree } from 'web-tree-sitter';
import * as path from 'path';
import { ProjectFiles, stampOf } from './projectFiles';
import { importedModules, moduleReturningFunctions, ownBindings, type ImportedModule, type ProjectFunctions } from './lang/python/projectModules';
import type { ResourceKind } from './lang/python/names';

interface FileFacts {
  readonly imports: readonly ImportedModule[];
  readonly returning: ReadonlyMap<string, ResourceKind>;
  readonly bindings: ReadonlySet<string>;
}

const isPackage = (dir: string) => stampOf(path.join(dir, '__init__.py')) !== null;

/** A module's file under `base`: `a/b/c.py` or `a/b/c/__init__.py` (the package itself for no parts). */
function moduleFile(base: string, parts: readonly string[]): string | null {
  if (parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return null;
  if (parts.length) {
    const file = path.join(base, ...parts) + '.py';
    if (stampOf(file) !== null) return file;
  }
  const init = path.join(base, ...parts, '__init__.py');
  return stampOf(init) !== null ? init : null;
}

function factsOfTree(tree: Tree): FileFacts {
  return { imports: importedModules(tree.rootNode), returning: moduleReturningFunctions(tree.rootNode), bindings: ownBindings(tree.rootNode) };
}

export class PythonProject {
  private readonly files = new ProjectFiles<FileFacts>('python', factsOfTree);
  private readonly roots = new Map<string, string>();

  /** The folder absolute imports start from: above the topmost package holding the file's folder. */
  private rootOf(dir: string): string {
    const known = this.roots.get(dir);
    if (known !== undefined) return known;
    let root = dir;
    while (isPackage(root)) {
      const up = path.dirname(root);
      if (up === root) break;
      root = up;
    }
    this.roots.set(dir, root);
    return root;
  }

  /** The file of an imported module, or null when it is not in the project. */
  private locate(dir: string, m: ImportedModule): string | null {
    if (m.dots === 0) return m.parts.length ? moduleFile(this.rootOf(dir), m.parts) : null;
    // `from . import x` is the file's package; each further dot goes one package up.
    let base = dir;
    for (let i = 1; i < m.dots; i++) {
      if (!isPackage(base)) return null;
      base = path.dirname(base);
    }
    return isPackage(base) ? moduleFile(base, m.parts) : null;
  }

  /**
   * The returning functions a module offers: its own, and those it imports by name at its top from another
   * module of the project and does not rebind (`from eventlet.convenience import listen` in `eventlet/__init__.py`
   * makes `eventlet.listen` one); one step of re-export only.
   */
  private async offered(file: string, facts: FileFacts): Promise<ReadonlyMap<string, ResourceKind>> {
    const out = new Map(facts.returning);
    for (const m of facts.imports) {
      if (m.function === undefined || m.local === undefined || !m.topLevel || out.has(m.local) || facts.bindings.has(m.local)) continue;
      const target = this.locate(path.dirname(file), m);
      if (!target || target === file) continue;
      const kind = (await this.files.ofFile(target))?.returning.get(m.function);
      if (kind) out.set(m.local, kind);
    }
    return out;
  }

  /**
   * What the functions of the project's modules that `file` imports return, by the names its calls resolve
   * to: `file` read from `text` when given (the text being analysed, an editor's buffer), else as saved.
   */
  async functions(file: string, text?: string): Promise<ProjectFunctions> {
    const abs = path.resolve(file);
    const facts = await this.files.of(abs, text);
    const out = new Map<string, ResourceKind>();
    if (!facts) return out;
    const dir = path.dirname(abs);
    for (const m of facts.imports) {
      const target = this.locate(dir, m);
      if (!target || target === abs) continue;
      const mod = await this.files.ofFile(target);
      if (!mod) continue;
      for (const [name, kind] of await this.offered(target, mod)) {
        if (m.function !== undefined && m.function !== name) continue;
        out.set(`${m.prefix}.${name}`, kind);
      }
    }
    return out;
  }
}
