/**
 * Fix-safety suite (tests only): the Python behaviour driver. Each text is written as `case.py` next
 * to the folder's harness.py and the case's driver, which python3 runs (unclosed sockets show as
 * ResourceWarnings, which the harness counts). Cases run two at a time.
 */
import * as fs from 'fs';
import * as path from 'path';
import { supportFiles } from '../cases';
import { inParallel, runTool, ToolMissingError } from '../runTool';
import { parseDriverOutput, type DriverRun } from '../verdict';
import { firstLines, inTempDir, type BehaviourDriver, type DriverJob, type DriverResult } from './driver';

async function runJob({ case: c, texts }: DriverJob): Promise<DriverResult> {
  try {
    return await inTempDir(async (dir) => {
      const runs: DriverRun[] = [];
      for (let i = 0; i < texts.length; i++) {
        const text = texts[i]!;
        if (!text) {
          runs.push(parseDriverOutput('', 'the fix could not be applied'));
          continue;
        }
        const work = path.join(dir, `v${i}`);
        fs.mkdirSync(work);
        for (const f of supportFiles('python')) fs.copyFileSync(f, path.join(work, path.basename(f)));
        fs.copyFileSync(c.driverFile, path.join(work, 'driver.py'));
        fs.writeFileSync(path.join(work, 'case.py'), text);
        const run = await runTool('python3', ['driver.py'], work, 30000, { ...process.env, PYTHONDONTWRITEBYTECODE: '1' });
        runs.push(parseDriverOutput(run.stdout, run.code === 0 ? undefined : `the driver ${run.timedOut ? 'timed out' : `exited with ${run.code}`}:\n${firstLines(run.stderr.split('\n').slice(-8).join('\n'))}`));
      }
      return { runs };
    });
  } catch (e) {
    if (e instanceof ToolMissingError) return { skipped: `${e.tool} is not installed` };
    throw e;
  }
}

export const pythonDriver: BehaviourDriver = (jobs) => inParallel(jobs.map((j) => () => runJob(j)), 2);
