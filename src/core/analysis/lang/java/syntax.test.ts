/** Java syntax helpers read from the tree: imports by name, calls that end the process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTree } from '../../parser';
import { endsProcess, importedClasses } from './syntax';

test('java: classes imported by name, with their package (not static, not on demand, the first of a name)', async () => {
  const text = ['import static org.a.Util.run;', 'import java.io.*;', 'import org . b /* x */ . Util;', 'import com.c.Util;', 'import javax.net.SocketFactory;', 'class T {}'].join('\n');
  const got = await withTree('java', text, (t) => [...importedClasses(t.rootNode)]);
  assert.deepEqual(got, [['Util', ['org', 'b']], ['SocketFactory', ['javax', 'net']]]);
});

test('java: System.exit and Runtime.getRuntime().halt end the process; other exit calls do not', async () => {
  const text = 'class T { void f() { System.exit(1); Runtime.getRuntime().halt(2); (System).exit(3); server.exit(4); Runtime.getRuntime(x).exit(5); System.out(6); } }';
  const got = await withTree('java', text, (t) => t.rootNode.descendantsOfType('method_invocation').filter((c) => c !== null && c.parent?.type === 'expression_statement').map((c) => [c!.text, endsProcess(c!)]));
  assert.deepEqual(got, [
    ['System.exit(1)', true], ['Runtime.getRuntime().halt(2)', true], ['(System).exit(3)', true], ['server.exit(4)', false],
    ['Runtime.getRuntime(x).exit(5)', false], ['System.out(6)', false],
  ]);
});
