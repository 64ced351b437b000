/**
 * A name a fix introduces (a try-with-resources alias, a caught exception, a temporary) must not
 * capture or shadow one the function already uses: `base`, else `base2`, `base3`, … .
 */
export function freshName(base: string, used: ReadonlySet<string>): string {
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}${i}`;
  return name;
}
