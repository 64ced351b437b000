/**
 * Fix-safety suite (tests only): the Go behaviour driver. Each text of each case goes into its own
 * package (with the folder's harness.go and shared files and the case's driver, whose `Main()` runs
 * the paths) of one temporary module whose main calls each package in turn; one `go run` builds and
 * runs them all (batch.ts), with garbage collection off.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { supportFiles } from '../cases';
import { runTool, ToolMissingError } from '../runTool';
import { runBatched, variantKeys } from './batch';
import { firstLines, inTempDir, type BehaviourDriver } from './driver';

function goEnv(dir: string): NodeJS.ProcessEnv {
  // GOGC=off: a leaked connection must stay open (a collected one is closed by its finalizer).
  const env: NodeJS.ProcessEnv = { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on', GOTOOLCHAIN: 'local', GOGC: 'off' };
  // go needs a build cache; without HOME it has no default one.
  if (!env.GOCACHE && !env.HOME && !env.XDG_CACHE_HOME) env.GOCACHE = path.join(dir, 'gocache');
  return env;
}

function mainSource(keys: readonly string[]): string {
  const imports = keys.map((k) => `\t${k} "fsmod/${k}"`).join('\n');
  // A panic is reported as that variant's misbehaviour; the next variants still run.
  const calls = keys.map((k) => `\tfmt.Println("VARIANT ${k}")\n\tfunc() {\n\t\tdefer func() {\n\t\t\tif r := recover(); r != nil {\n\t\t\t\tfmt.Println("BAD - the driver panicked:", r)\n\t\t\t}\n\t\t}()\n\t\t${k}.Main()\n\t}()`).join('\n');
  return `package main\n\nimport (\n\t"fmt"\n${imports}\n)\n\nfunc main() {\n${calls}\n}\n`;
}

export const goDriver: BehaviourDriver = async (jobs) => {
  try {
    return await inTempDir(async (dir) => {
      const keys = variantKeys(jobs);
      jobs.forEach((job, k) => job.texts.forEach((text, i) => {
        const key = keys[k]![i]!;
        if (!key) return;
        const pkg = path.join(dir, key);
        fs.mkdirSync(pkg);
        for (const f of supportFiles('go')) fs.copyFileSync(f, path.join(pkg, path.basename(f)));
        fs.copyFileSync(job.case.driverFile, path.join(pkg, 'driver.go'));
        fs.writeFileSync(path.join(pkg, 'case.go'), text);
      }));
      fs.writeFileSync(path.join(dir, 'go.mod'), `module fsmod${os.EOL}${os.EOL}go 1.18${os.EOL}`);
      const runs = await runBatched(keys.flat(), async (some) => {
        fs.writeFileSync(path.join(dir, 'main.go'), mainSource(some));
        const run = await runTool('go', ['run', '.'], dir, 180000, goEnv(dir));
        return run.code === 0 ? { stdout: run.stdout } : { stdout: run.stdout, failure: `go run failed (exit ${run.code}):\n${firstLines(run.stderr)}` };
      });
      let next = 0;
      return jobs.map((job) => ({ runs: job.texts.map(() => runs[next++]!) }));
    });
  } catch (e) {
    if (e instanceof ToolMissingError) return jobs.map(() => ({ skipped: `${e.tool} is not installed (golang-go)` }));
    throw e;
  }
};
