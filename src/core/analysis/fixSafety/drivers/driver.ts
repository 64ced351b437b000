/**
 * Fix-safety suite (tests only): what every language's behaviour driver does — for each job (a case
 * and its texts: the original first, then the fixed variants) build the case's driver with each
 * text, run it, and return one DriverRun per text; or say why it cannot run here (a missing toolchain).
 */
import type { BehaviourCase } from '../cases';
import { inTempDir as inFreshDir } from '../../testing/toolCheck';
import type { DriverRun } from '../verdict';

export type DriverResult = { readonly runs: DriverRun[] } | { readonly skipped: string };

export interface DriverJob {
  readonly case: BehaviourCase;
  readonly texts: readonly string[];
}

/** One result per job, in order. */
export type BehaviourDriver = (jobs: readonly DriverJob[]) => Promise<DriverResult[]>;

/** Runs `use(dir)` in a fresh temporary folder, removed afterwards (nothing is kept between runs). */
export function inTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  return inFreshDir('sockscope-fixsafety-', use);
}

/** The first lines of a tool's complaint, for a failure message. */
export function firstLines(text: string, n = 6): string {
  return text.split('\n').filter((l) => l.trim()).slice(0, n).join('\n');
}

/**
 * Splits the output of one program that ran several variants, each introduced by a `VARIANT <name>`
 * line, into the output of each.
 */
export function splitVariants(stdout: string): Map<string, string> {
  const parts = new Map<string, string>();
  let current: string | null = null;
  for (const line of stdout.split('\n')) {
    const m = /^VARIANT (\S+)$/.exec(line);
    if (m) {
      current = m[1]!;
      parts.set(current, '');
    } else if (current !== null) {
      parts.set(current, `${parts.get(current)}${line}\n`);
    }
  }
  return parts;
}
