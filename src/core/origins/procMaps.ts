// /proc/<pid>/maps lines: which file (and where in it) an address of the process belongs to.

export interface Mapping {
  readonly start: bigint;
  readonly end: bigint;
  readonly offset: bigint;
  readonly path: string;
}

/** The file-backed mappings of a maps text; anonymous and pseudo ([stack], [vdso]) ones are left out. */
export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    // start-end perms offset dev inode path: the path is what follows the fifth field's spaces.
    const fields = line.split(' ');
    if (fields.length < 6) continue;
    const range = fields[0] ?? '';
    const dash = range.indexOf('-');
    const rest = fields.slice(5).join(' ').trimStart();
    if (dash <= 0 || !rest.startsWith('/')) continue;
    const p = rest.endsWith(' (deleted)') ? rest.slice(0, -' (deleted)'.length) : rest;
    out.push({ start: BigInt(`0x${range.slice(0, dash)}`), end: BigInt(`0x${range.slice(dash + 1)}`), offset: BigInt(`0x${fields[2] ?? '0'}`), path: p });
  }
  return out;
}

export function findMapping(maps: readonly Mapping[], address: bigint): Mapping | undefined {
  return maps.find((m) => address >= m.start && address < m.end);
}
