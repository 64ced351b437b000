/** "5,000": a count with thousands separators, the same whatever the machine's locale. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
