/**
 * Fix-safety suite (tests only): the behaviour cases end to end — the offered fixes of each case
 * file (variants.ts), built and run by the language's driver next to the original, and judged
 * (verdict.ts). A case's outcome lists its problems (empty: every offered fix is safe, or none is
 * offered), or why it was skipped.
 */
import type { BehaviourCase, CaseFolder } from './cases';
import type { BehaviourDriver, DriverResult } from './drivers/driver';
import { cDriver } from './drivers/cDriver';
import { goDriver } from './drivers/goDriver';
import { javaDriver } from './drivers/javaDriver';
import { pythonDriver } from './drivers/pythonDriver';
import { fixVariants, type FixVariant } from './variants';
import { checkOriginal, judgeVariant } from './verdict';

const DRIVERS: Readonly<Record<CaseFolder, BehaviourDriver>> = { c: cDriver, python: pythonDriver, go: goDriver, java: javaDriver };

export interface CaseOutcome {
  readonly problems: string[];
  /** Set when the case could not run (missing toolchain); problems is then empty. */
  readonly skipped?: string;
  /** How many fixed variants ran. */
  readonly variants: number;
}

function judge(c: BehaviourCase, variants: readonly FixVariant[], result: DriverResult): CaseOutcome {
  if ('skipped' in result) return { problems: [], skipped: result.skipped, variants: variants.length };
  const [original, ...fixed] = result.runs;
  const broken = checkOriginal(original!, c.mustOffer);
  if (broken.length) throw new Error(`${c.id}: the case or its driver is broken:\n${broken.join('\n')}`);
  const problems: string[] = [];
  variants.forEach((v, i) => {
    for (const p of judgeVariant(original!, fixed[i]!, v.scope)) problems.push(`${v.label}: ${p}`);
  });
  return { problems, variants: variants.length };
}

/** Runs the cases of one folder with its driver (one batch). */
async function runFolder(folder: CaseFolder, cases: readonly BehaviourCase[]): Promise<CaseOutcome[]> {
  if (process.platform !== 'linux') {
    // The harnesses read /proc and the C one links with GNU ld's --wrap.
    return cases.map(() => ({ problems: [], skipped: `the drivers need Linux (this is ${process.platform})`, variants: 0 }));
  }
  const planned = await Promise.all(cases.map(async (c) => ({ c, variants: (await fixVariants(c.text, c.language)).variants })));
  const outcomes: (CaseOutcome | undefined)[] = planned.map(({ c, variants }) => (variants.length === 0
    ? { problems: c.mustOffer ? ['no fix is offered for a real leak (a gate that offers nothing fails this case)'] : [], variants: 0 }
    : undefined));
  const toRun = planned.filter((_, i) => outcomes[i] === undefined);
  const results = toRun.length ? await DRIVERS[folder](toRun.map(({ c, variants }) => ({ case: c, texts: [c.text, ...variants.map((v) => v.text)] }))) : [];
  let next = 0;
  return planned.map(({ c, variants }, i) => outcomes[i] ?? judge(c, variants, results[next++]!));
}

/** Starts every case (the folders side by side) and returns each case's pending outcome by id. */
export function runBehaviourCases(cases: readonly BehaviourCase[]): Map<string, Promise<CaseOutcome>> {
  const byId = new Map<string, Promise<CaseOutcome>>();
  const folders = [...new Set(cases.map((c) => c.folder))];
  for (const folder of folders) {
    const mine = cases.filter((c) => c.folder === folder);
    const all = runFolder(folder, mine);
    all.catch(() => undefined); // each test awaits its own share and reports the error there
    mine.forEach((c, i) => byId.set(c.id, all.then((o) => o[i]!)));
  }
  for (const p of byId.values()) p.catch(() => undefined);
  return byId;
}
