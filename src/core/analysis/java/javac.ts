/**
 * Test support: compiles a Java source with `javac` (JDK only, -Xlint:none) into a temporary folder.
 * Used by the Java corpus and fix tests only; nothing in the extension or the CLI imports it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileRunner } from '../../platform/commandRunner';
import { SourceError } from '../../platform/source';

export type JavacResult = { status: 'ok' } | { status: 'error'; output: string } | { status: 'no-javac' };

/** `fileName` must match the public class (e.g. `EarlyReturnLeak.java`). */
export async function compileJava(text: string, fileName: string): Promise<JavacResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-javac-'));
  try {
    const file = path.join(dir, path.basename(fileName));
    fs.writeFileSync(file, text);
    const out = path.join(dir, 'classes');
    fs.mkdirSync(out);
    const r = await execFileRunner.run('javac', ['-Xlint:none', '-nowarn', '-d', out, file], { timeoutMs: 120000 });
    return r.code === 0 ? { status: 'ok' } : { status: 'error', output: r.stderr || r.stdout };
  } catch (e) {
    if (e instanceof SourceError && e.code === 'TOOL_MISSING') return { status: 'no-javac' };
    throw e;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
