import type { Summary } from '../../engine/analysis';
import { tableSummary, type FunctionUnit, type UnitSource } from './summaries';

let views = 0;

/**
 * The units a file's analysis sees: the functions of the file as it is now (an editor's unsaved text,
 * or one build configuration of it) laid over the workspace index, whose entry for that file may be
 * older. Without an index, only the file's own functions.
 */
export class FileOverlay implements UnitSource {
  readonly version: string;

  constructor(
    private readonly base: UnitSource | null,
    private readonly file: string,
    private readonly own: (name: string) => FunctionUnit | undefined,
  ) {
    this.version = `${base?.version ?? ''}/${this.file}/${++views}`;
  }

  candidates(name: string, from: string): readonly FunctionUnit[] {
    if (from === this.file) {
      const mine = this.own(name);
      if (mine) return [mine];
      return (this.base?.candidates(name, from) ?? []).filter((u) => u.file !== this.file);
    }
    const others = this.base?.candidates(name, from) ?? [];
    if (others.length === 1 && others[0]!.file === from) return others;
    const out = others.filter((u) => u.file !== this.file);
    const mine = this.own(name);
    if (mine?.visible) out.push(mine);
    return out;
  }

  tableSummary(name: string): Summary | undefined {
    return this.base?.tableSummary?.(name) ?? tableSummary(name);
  }
}
