/** Where a per-exit fix releases, as its title says it, for every language. */
export type ExitKind = 'return' | 'break' | 'continue' | 'goto' | 'throw' | 'end' | 'block' | 'case';

export function exitWhere(kind: ExitKind | undefined): string {
  switch (kind) {
    case 'return': return 'before this return';
    case 'break': return 'before this break';
    case 'continue': return 'before this continue';
    case 'goto': return 'before this goto';
    case 'throw': return 'before this throw';
    case 'end': return 'at the end of the function';
    default: return 'at the end of this block';
  }
}
