import type { Node } from 'web-tree-sitter';
import type { LineIndex } from '../../edits';
import { importLine } from '../../fix/imports';
import { Placement } from '../../fix/placement';
import type { TextEdit } from '../../types';
import { Imports, type ResourceKind } from './names';
import { identifiersIn } from './syntax';

/**
 * How a Python fix writes a release in this file: `v.close()` for sockets and files; for a bare
 * descriptor `os.close(v)` under the name the file's imports give it (`o.close(v)` after
 * `import os as o`, `close(v)` after `from os import close`), or `os.close(v)` with an
 * `import os` added after the file's last top-level import when the file binds neither and uses
 * the name `os` nowhere outside its imports. Null when none of these can be written.
 */
export interface PyRelease {
  readonly text: string;
  /** The `import os` the release needs (empty when the file has what it needs). */
  readonly imports: readonly TextEdit[];
}

export class PyReleases {
  private importsMemo: Imports | undefined;
  private readonly place: Placement;
  private descriptor: PyRelease | null | undefined;

  private constructor(private readonly root: Node, text: string, lines: LineIndex) {
    this.place = Placement.of(text, lines);
  }

  /** The file's imports (found when first asked: most analyses reuse every fix and never ask). */
  get imports(): Imports {
    return (this.importsMemo ??= Imports.of(this.root.descendantsOfType(['import_statement', 'import_from_statement']).filter((n): n is Node => n !== null)));
  }

  /** The releases of one file (keyed by its line index, as its Placement). */
  static of(root: Node, text: string, lines: LineIndex): PyReleases {
    let r = cache.get(lines);
    if (!r || r.root.id !== root.id) cache.set(lines, (r = new PyReleases(root, text, lines)));
    return r;
  }

  /** How often a descriptor's release was asked for (a fix that asked depends on `descriptorSpelling`). */
  descriptorAsks = 0;

  release(kind: ResourceKind, v: string): PyRelease | null {
    if (kind !== 'fd') return { text: `${v}.close()`, imports: [] };
    this.descriptorAsks++;
    const d = (this.descriptor ??= this.descriptorClose());
    return d && { text: d.text.replace('$', v), imports: d.imports };
  }

  /** How this file writes a descriptor's release, with the `import os` edit it needs, as one string. */
  descriptorSpelling(): string {
    return JSON.stringify(this.descriptor ??= this.descriptorClose());
  }

  /** `os.close($)` as this file can write it (`$` stands for the variable). */
  private descriptorClose(): PyRelease | null {
    const module = this.imports.localFor('os');
    if (module !== null) return { text: `${module}.close($)`, imports: [] };
    const fn = this.imports.localFor('os.close');
    if (fn !== null) return { text: `${fn}($)`, imports: [] };
    let last: Node | null = null;
    let taken = false;
    for (const c of this.root.namedChildren) {
      if (!c) continue;
      if (c.type === 'import_statement' || c.type === 'import_from_statement') last = c;
      else taken ||= identifiersIn(c).some((id) => id.text === 'os');
    }
    if (!last || taken) return null;
    const end = this.place.lineEnd(last.endIndex);
    const next = end + (this.place.text.startsWith('\r\n', end) ? 2 : end < this.place.text.length ? 1 : 0);
    return { text: 'os.close($)', imports: [importLine(this.place, next, 'import os')] };
  }
}

const cache = new WeakMap<LineIndex, PyReleases>();
