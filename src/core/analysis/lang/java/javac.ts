/**
 * Test support: compiles a Java source with `javac` (JDK only, -Xlint:none) into a temporary folder.
 * Used by the Java corpus and fix tests only; nothing in the extension or the CLI imports it.
 */
import { checkWithTool, type ToolCheck } from '../../testing/toolCheck';

/** `fileName` must match the public class (e.g. `EarlyReturnLeak.java`). */
export function compileJava(text: string, fileName: string): Promise<ToolCheck> {
  return checkWithTool('sockscope-javac-', text, fileName, 'javac', (file, dir) => ['-encoding', 'UTF-8', '-Xlint:none', '-nowarn', '-d', dir, file], 120000);
}
