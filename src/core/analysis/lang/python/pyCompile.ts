/**
 * Test support: `python3 -m py_compile` on a text (the corpus and fix tests check that every corpus
 * file and every fixed file is valid Python). Used by tests only.
 */
import { checkWithTool, type ToolCheck } from '../../testing/toolCheck';

export function pyCompile(text: string, nameHint: string): Promise<ToolCheck> {
  // -B: no __pycache__ next to the file; the temp dir is removed anyway.
  return checkWithTool('sockscope-py-', text, nameHint, 'python3', (file) => ['-B', '-m', 'py_compile', file], 60000);
}
