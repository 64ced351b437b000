/**
 * Fix-safety suite (tests only): the Java behaviour driver. Each text of each case goes into its own
 * package (a `package <key>;` line is put before the case, FsHarness.java and the case's driver, a
 * class `Driver` with a static `main()`); one javac and one java run them all (batch.ts), a generated
 * `Main` calling each package's driver in turn, with garbage collection off.
 */
import * as fs from 'fs';
import * as path from 'path';
import { supportFiles } from '../cases';
import { runTool, ToolMissingError } from '../runTool';
import { runBatched, variantKeys } from './batch';
import { firstLines, inTempDir, type BehaviourDriver } from './driver';

const MAIN = `class Main {
    public static void main(String[] variants) throws Exception {
        for (String v : variants) {
            System.out.println("VARIANT " + v);
            java.lang.reflect.Method m = Class.forName(v + ".Driver").getDeclaredMethod("main");
            m.setAccessible(true);
            try {
                m.invoke(null);
            } catch (java.lang.reflect.InvocationTargetException e) {
                System.out.println("BAD - the driver threw " + e.getCause());
            }
        }
    }
}
`;

export const javaDriver: BehaviourDriver = async (jobs) => {
  try {
    return await inTempDir(async (dir) => {
      const keys = variantKeys(jobs);
      const sources = new Map<string, string[]>();
      jobs.forEach((job, k) => job.texts.forEach((text, i) => {
        const key = keys[k]![i]!;
        if (!key) return;
        const pkg = path.join(dir, 'src', key);
        fs.mkdirSync(pkg, { recursive: true });
        const files: string[] = [];
        const put = (name: string, content: string) => {
          files.push(path.join(pkg, name));
          fs.writeFileSync(path.join(pkg, name), `package ${key};\n${content}`);
        };
        for (const f of supportFiles('java')) put(path.basename(f), fs.readFileSync(f, 'utf8'));
        put('Driver.java', fs.readFileSync(job.case.driverFile, 'utf8'));
        put('Case.java', text);
        sources.set(key, files);
      }));
      fs.writeFileSync(path.join(dir, 'Main.java'), MAIN);
      let build = 0;
      const runs = await runBatched(keys.flat(), async (some) => {
        const out = path.join(dir, `classes${build++}`);
        const javac = await runTool('javac', ['-encoding', 'UTF-8', '-nowarn', '-Xlint:none', '-d', out, 'Main.java', ...some.flatMap((k) => sources.get(k)!)], dir, 180000);
        if (javac.code !== 0) return { stdout: '', failure: `does not compile:\n${firstLines(javac.stdout + javac.stderr)}` };
        // No garbage collection: a leaked socket must stay open (a collected one is closed by its Cleaner).
        const run = await runTool('java', ['-XX:+UnlockExperimentalVMOptions', '-XX:+UseEpsilonGC', '-Xmx1g', '-cp', out, 'Main', ...some], dir, 120000);
        return run.code === 0 ? { stdout: run.stdout } : { stdout: run.stdout, failure: `the driver exited with ${run.code}:\n${firstLines(run.stderr)}` };
      });
      let next = 0;
      return jobs.map((job) => ({ runs: job.texts.map(() => runs[next++]!) }));
    });
  } catch (e) {
    if (e instanceof ToolMissingError) return jobs.map(() => ({ skipped: `${e.tool} is not installed (default-jdk-headless)` }));
    throw e;
  }
};
