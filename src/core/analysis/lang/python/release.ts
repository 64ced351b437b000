import type { Node } from 'web-tree-sitter';
import type { LineIndex } from '../../edits';
import { Imports, type ResourceKind } from './names';

/**
 * How a Python fix writes a release in this file: `v.close()` for sockets and files; for a bare
 * descriptor `os.close(v)` under the name the file's imports give it (`o.close(v)` after
 * `import os as o`, `close(v)` after `from os import close`). Null when the imports bind neither:
 * adding `import os` would make the fix depend on the rest of the file (where the imports end,
 * whether `os` names something else), which a reused function's fixes cannot follow.
 */
export class PyReleases {
  readonly imports: Imports;
  private descriptor: string | null | undefined;

  private constructor(private readonly root: Node) {
    this.imports = Imports.of(root.descendantsOfType(['import_statement', 'import_from_statement']).filter((n): n is Node => n !== null));
  }

  /** The releases of one file (keyed by its line index, as its Placement). */
  static of(root: Node, lines: LineIndex): PyReleases {
    let r = cache.get(lines);
    if (!r || r.root.id !== root.id) cache.set(lines, (r = new PyReleases(root)));
    return r;
  }

  release(kind: ResourceKind, v: string): string | null {
    if (kind !== 'fd') return `${v}.close()`;
    const d = (this.descriptor ??= this.descriptorClose());
    return d && d.replace('$', v);
  }

  /** `os.close($)` as this file's imports spell it (`$` stands for the variable). */
  private descriptorClose(): string | null {
    const module = this.imports.localFor('os');
    if (module !== null) return `${module}.close($)`;
    const fn = this.imports.localFor('os.close');
    return fn !== null ? `${fn}($)` : null;
  }
}

const cache = new WeakMap<LineIndex, PyReleases>();
