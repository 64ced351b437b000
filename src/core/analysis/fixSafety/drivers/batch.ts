/**
 * Fix-safety suite (tests only): Go and Java build every variant of every case into one program (one
 * compiler and one runtime start for the whole language; each variant in its own package, named by
 * its key). When that program fails to build, the variants the compiler names (`<key>/` in its
 * messages) get the failure and the others are built again without them; a failure that names none
 * is attributed by building and running each variant alone.
 */
import { parseDriverOutput, type DriverRun } from '../verdict';
import { splitVariants } from './driver';

/** Builds and runs a program made of the variants `keys`; `failure` set when it did not build or run cleanly. */
export type RunVariants = (keys: readonly string[]) => Promise<{ stdout: string; failure?: string }>;

/** One DriverRun per key (an empty key: the fix could not be applied). */
export async function runBatched(keys: readonly string[], runVariants: RunVariants): Promise<DriverRun[]> {
  const runs = new Map<string, DriverRun>();
  let todo = keys.filter((k) => k);
  while (todo.length) {
    const together = await runVariants(todo);
    if (!together.failure) {
      const parts = splitVariants(together.stdout);
      for (const k of todo) runs.set(k, parseDriverOutput(parts.get(k) ?? '', parts.has(k) ? undefined : 'the variant did not run'));
      break;
    }
    const blamed = todo.filter((k) => together.failure!.includes(`${k}/`) || together.failure!.includes(`${k}\\`));
    if (blamed.length === 0 || blamed.length === todo.length) {
      for (const k of todo) {
        const alone = todo.length === 1 ? together : await runVariants([k]);
        runs.set(k, parseDriverOutput(splitVariants(alone.stdout).get(k) ?? '', alone.failure));
      }
      break;
    }
    for (const k of blamed) runs.set(k, parseDriverOutput('', together.failure));
    todo = todo.filter((k) => !blamed.includes(k));
  }
  return keys.map((k) => runs.get(k) ?? parseDriverOutput('', 'the fix could not be applied'));
}

/** `k<case>v<variant>` for every non-empty text of every job ('' for an empty text). */
export function variantKeys(jobs: readonly { texts: readonly string[] }[]): string[][] {
  return jobs.map((job, k) => job.texts.map((t, i) => (t ? `k${k}v${i}` : '')));
}
