/**
 * Fix-safety suite (tests only): reads a driver's output ("OUT <path> <text>", "LEAK <path> <n>",
 * "BAD <path> <why>") and judges a fixed variant against the original.
 */
export interface DriverRun {
  /** Set when the variant could not be built (compile error) or run (crash, timeout, exit code). */
  readonly failure?: string;
  readonly out: Map<string, string>;
  readonly leaks: Map<string, number>;
  readonly bad: string[];
}

export function parseDriverOutput(stdout: string, failure?: string): DriverRun {
  const out = new Map<string, string>();
  const leaks = new Map<string, number>();
  const bad: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(OUT|LEAK|BAD) (\S+) ?(.*)$/.exec(line);
    if (!m) continue;
    const [, kind, path, rest] = m as unknown as [string, string, string, string];
    if (kind === 'OUT') out.set(path, (out.has(path) ? `${out.get(path)} | ` : '') + rest);
    else if (kind === 'LEAK') leaks.set(path, Number(rest));
    else bad.push(`${path}: ${rest}`);
  }
  return failure === undefined ? { out, leaks, bad } : { failure, out, leaks, bad };
}

function total(leaks: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of leaks.values()) n += v;
  return n;
}

/** Problems with the driver on the original code (the case itself is wrong, not the fix). */
export function checkOriginal(run: DriverRun, mustLeak: boolean): string[] {
  if (run.failure) return [`the original does not run: ${run.failure}`];
  const problems = run.bad.map((b) => `the original already misbehaves: ${b}`);
  if (run.leaks.size === 0) problems.push('the driver reported no path');
  if (mustLeak && total(run.leaks) === 0) problems.push('a safe_* case must leak in the original');
  return problems;
}

/**
 * What is wrong with one fixed variant: it must build and run, close nothing that is not open, keep
 * handed-off descriptors open, give the original's output on every path, leak nowhere more than the
 * original, and remove leaks (all of them for an all-paths fix or fix-all; some for an exit fix).
 */
export function judgeVariant(original: DriverRun, fixed: DriverRun, scope: 'exit' | 'all-paths' | 'fix-all'): string[] {
  if (fixed.failure) return [fixed.failure];
  const problems = fixed.bad.map((b) => `bad: ${b}`);
  for (const [path, text] of original.out) {
    const now = fixed.out.get(path);
    if (now !== text) problems.push(`path ${path}: output ${now === undefined ? '(none)' : JSON.stringify(now)} instead of ${JSON.stringify(text)}`);
  }
  for (const [path, before] of original.leaks) {
    const after = fixed.leaks.get(path);
    if (after === undefined) problems.push(`path ${path}: not reached any more`);
    else if (after > before) problems.push(`path ${path}: leaks ${after} instead of ${before}`);
    else if (after > 0 && scope !== 'exit') problems.push(`path ${path}: still leaks ${after}`);
  }
  if (scope === 'exit' && total(original.leaks) > 0 && total(fixed.leaks) >= total(original.leaks)) problems.push('removes no leak');
  return problems;
}
