/**
 * Test support: `python3 -m py_compile` on a text (the corpus and fix tests check that every corpus
 * file and every fixed file is valid Python). Used by tests only.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileRunner } from '../../platform/commandRunner';
import { SourceError } from '../../platform/source';

export type CompileResult = { status: 'ok' } | { status: 'error'; output: string } | { status: 'no-python' };

export async function pyCompile(text: string, nameHint: string): Promise<CompileResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-py-'));
  try {
    const file = path.join(dir, path.basename(nameHint));
    fs.writeFileSync(file, text);
    // -B: no __pycache__ next to the file; the temp dir is removed anyway.
    const r = await execFileRunner.run('python3', ['-B', '-m', 'py_compile', file], { timeoutMs: 60000 });
    return r.code === 0 ? { status: 'ok' } : { status: 'error', output: r.stderr };
  } catch (e) {
    if (e instanceof SourceError && e.code === 'TOOL_MISSING') return { status: 'no-python' };
    throw e;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
