import type { Node } from 'web-tree-sitter';
import { acquireShape, Imports, type ResourceKind } from './names';
import { localSummaries } from './summaries';
import { named } from './syntax';

/**
 * What the modules of a file's project tell its calls (issue 13, ../../pythonProject.ts finds the files):
 * a module-level function of another module of the same repository that returns a new socket
 * (./summaries `localSummaries`: every `return` gives a new socket the function keeps to itself; see
 * `moduleReturningFunctions`) acquires one in its callers, like a function of the file. The key is the dotted name the
 * caller's imports resolve the call to (names.ts `callee().resolved`), spelled as the import is written:
 * `tornado.netutil.bind_unix_socket` for `from tornado import netutil` … `netutil.bind_unix_socket(…)`,
 * `.netutil.bind_unix_socket` for `from .netutil import bind_unix_socket`.
 */
export type ProjectFunctions = ReadonlyMap<string, ResourceKind>;

export const NO_PROJECT_FUNCTIONS: ProjectFunctions = new Map();

/**
 * A module an import may name: `dots` leading dots (0 for an absolute import) and the dotted `parts`
 * after them, and `prefix`, the resolved-name prefix its functions get in the importing file. `from a
 * import b` gives two candidates: the module `a.b` (prefix `a.b`) and the function `b` of module `a`
 * (`function`).
 */
export interface ImportedModule {
  readonly dots: number;
  readonly parts: readonly string[];
  readonly prefix: string;
  /** Only this function of the module is meant (`from m import f`). */
  readonly function?: string;
  /** With `function`: the name the import binds (`g` for `from m import f as g`), and whether it is at the top of the module (a re-export). */
  readonly local?: string;
  readonly topLevel?: boolean;
}

/** The modules the import statements of a file name (module level and inside functions alike). */
export function importedModules(root: Node): ImportedModule[] {
  const out: ImportedModule[] = [];
  for (const n of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (!n) continue;
    if (n.type === 'import_statement') {
      for (const c of named(n)) {
        const name = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.type === 'dotted_name' ? c.text : undefined;
        // `import a.b.c` (calls are written `a.b.c.f`) and `import a.b.c as m` (`m.f` resolves to `a.b.c.f`).
        if (name) out.push({ dots: 0, parts: name.split('.'), prefix: name });
      }
      continue;
    }
    const from = n.childForFieldName('module_name')?.text.replace(/\s+/g, '');
    if (!from) continue;
    const dots = /^\.*/.exec(from)![0].length;
    const base = from.slice(dots) ? from.slice(dots).split('.') : [];
    for (const c of n.childrenForFieldName('name')) {
      const name = c?.type === 'aliased_import' ? c.childForFieldName('name')?.text : c?.type === 'dotted_name' ? c.text : undefined;
      if (!name) continue;
      // names.ts Imports binds `from M import N` to `M.N`.
      out.push({ dots, parts: [...base, ...name.split('.')], prefix: `${from}.${name}` });
      const local = c?.type === 'aliased_import' ? c.childForFieldName('alias')?.text : name;
      if (!name.includes('.') && local) out.push({ dots, parts: base, prefix: from, function: name, local, topLevel: n.parent?.type === 'module' });
    }
  }
  return out;
}

/**
 * The names a module binds other than by an import: functions and classes defined anywhere in it, and
 * plain names assigned anywhere (a re-export `from .c import listen` counts only when nothing rebinds `listen`).
 */
export function ownBindings(root: Node): ReadonlySet<string> {
  const out = new Set<string>();
  for (const n of root.descendantsOfType(['function_definition', 'class_definition', 'assignment', 'augmented_assignment', 'global_statement'])) {
    if (!n) continue;
    if (n.type === 'function_definition' || n.type === 'class_definition') {
      const name = n.childForFieldName('name')?.text;
      if (name) out.add(name);
    } else if (n.type === 'global_statement') {
      for (const id of named(n)) out.add(id.text);
    } else {
      for (const id of n.childForFieldName('left')?.descendantsOfType('identifier') ?? []) if (id) out.add(id.text);
    }
  }
  return out;
}

/**
 * The module-level functions of a module that return a new socket, by name (its own imports and functions
 * only). Two narrower rules than for a file's own functions, precision before recall:
 * - a wrap (`ctx.wrap_socket(sock)`, `os.fdopen(fd)`) is not a new resource: the function may wrap a
 *   socket its caller passed and does not own (tornado's `ssl_wrap_socket(connection, …)`);
 * - only sockets: a helper returning a file (a log opened for the caller's long-lived objects) is left to
 *   the files that use it.
 */
export function moduleReturningFunctions(root: Node): ReadonlyMap<string, ResourceKind> {
  const statements = root.descendantsOfType(['import_statement', 'import_from_statement', 'function_definition']).filter((n): n is Node => n !== null);
  const imports = Imports.of(statements);
  const definitions = statements.filter((n) => n.type === 'function_definition');
  const table = (call: Node) => {
    const shape = acquireShape(call, imports);
    return shape?.shape === 'single' ? shape : null;
  };
  const out = new Map<string, ResourceKind>();
  for (const [name, kind] of localSummaries(definitions, imports, table).functionsReturning) if (kind === 'socket') out.set(name, kind);
  return out;
}
