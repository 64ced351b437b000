/**
 * Where a per-exit fix releases, as its title says it, for every language: `kind` is the exit's
 * kind in the language's CFG (`return`, `break`, `continue`, `goto`, `throw`, `end` of the
 * function; any other is the end of a block).
 */
export function exitWhere(kind: string | undefined): string {
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
