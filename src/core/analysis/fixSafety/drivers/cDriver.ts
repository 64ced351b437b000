/**
 * Fix-safety suite (tests only): the C/C++ behaviour driver. A case's driver (with harness.h) is
 * compiled once; each text is compiled and linked with it using `-Wl,--wrap=close` (and connect,
 * send, setsockopt), so that the harness sees every close() and injects failures; uninitialised locals read as 0 (`-ftrivial-auto-var-init=zero`), so
 * that closing one closes stdin, which the harness reports. Cases run two at a time.
 */
import * as fs from 'fs';
import * as path from 'path';
import { supportFiles } from '../cases';
import { inParallel, runTool, ToolMissingError } from '../runTool';
import { parseDriverOutput, type DriverRun } from '../verdict';
import { firstLines, inTempDir, type BehaviourDriver, type DriverJob, type DriverResult } from './driver';

const COMMON = ['-O0', '-w', '-Werror=return-local-addr', '-Werror=return-type'];
const C_FLAGS = ['-std=gnu11', ...COMMON, '-Werror=int-conversion', '-Werror=implicit-function-declaration', '-Werror=incompatible-pointer-types'];
const CXX_FLAGS = ['-std=gnu++17', ...COMMON];

async function runJob({ case: c, texts }: DriverJob): Promise<DriverResult> {
  const cxx = c.language === 'cpp';
  const compiler = cxx ? 'g++' : 'gcc';
  const flags = cxx ? CXX_FLAGS : C_FLAGS;
  const ext = cxx ? 'cpp' : 'c';
  try {
    return await inTempDir(async (dir) => {
      for (const f of supportFiles('c')) fs.copyFileSync(f, path.join(dir, path.basename(f)));
      fs.copyFileSync(c.driverFile, path.join(dir, `driver.${ext}`));
      const driver = await runTool(compiler, [...flags, '-I', dir, '-c', `driver.${ext}`, '-o', 'driver.o'], dir, 60000);
      if (driver.code !== 0) throw new Error(`${c.id}: the driver does not compile:\n${firstLines(driver.stderr, 20)}`);
      const runs: DriverRun[] = [];
      for (let i = 0; i < texts.length; i++) {
        const text = texts[i]!;
        if (!text) {
          runs.push(parseDriverOutput('', 'the fix could not be applied'));
          continue;
        }
        const work = path.join(dir, `v${i}`);
        fs.mkdirSync(work);
        fs.writeFileSync(path.join(work, `case.${ext}`), text);
        const build = await runTool(compiler, [...flags, '-ftrivial-auto-var-init=zero', '-I', dir, `case.${ext}`, path.join(dir, 'driver.o'),
          '-Wl,--wrap=close,--wrap=connect,--wrap=send,--wrap=setsockopt', '-o', 'prog'], work, 60000);
        if (build.code !== 0) {
          runs.push(parseDriverOutput('', `does not compile:\n${firstLines(build.stderr)}`));
          continue;
        }
        const run = await runTool(path.join(work, 'prog'), [], work, 20000);
        runs.push(parseDriverOutput(run.stdout, run.code === 0 ? undefined : `the driver ${run.timedOut ? 'timed out' : `exited with ${run.code}`}: ${firstLines(run.stderr)}`));
      }
      return { runs };
    });
  } catch (e) {
    if (e instanceof ToolMissingError) return { skipped: `${e.tool} is not installed` };
    throw e;
  }
}

export const cDriver: BehaviourDriver = (jobs) => inParallel(jobs.map((j) => () => runJob(j)), 2);
