// Address formatting shared by the platform sources (linux/ decodes /proc hex, darwin/ and win32/ parse
// lsof, netstat and PowerShell text): all of them report IPv6 in one canonical form.

/**
 * RFC 5952 text of an IPv6 address given as its eight 16-bit groups: lower-case hex, no leading zeros,
 * the longest run (first on a tie) of two or more zero groups replaced by `::`, and IPv4-mapped
 * addresses written as ::ffff:a.b.c.d.
 */
export function formatIpv6Groups(groups: readonly number[]): string {
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `::ffff:${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
