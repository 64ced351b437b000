/** Process ids as users type them and as the sources accept them, on every platform. */

/** A positive integer that fits a pid on any platform (Linux pid_max ≤ 2^22, Windows DWORD ≤ 2^32 − 1). */
export function validPid(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 0 && pid <= 0xffffffff;
}

/** Parses a typed pid ("1234", " 1234 ", or a number); undefined for anything else ("12x", "-5", "0"). */
export function parsePid(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const pid = Number(text);
  return validPid(pid) ? pid : undefined;
}
