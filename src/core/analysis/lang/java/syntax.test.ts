/** Java syntax helpers read from the tree: imports by name, calls that end the process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTree } from '../../parser';
import { endsProcess, importedClasses, NodesByType, ownNodes } from './syntax';

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

test('java: ownNodes gives a body\'s nodes of the types asked, in order, but none inside a lambda or a nested class', async () => {
  const text = [
    'class T { void f(int a) {',
    '  int x = g(a);',
    '  Runnable r = () -> { int y = h(); };',
    '  Object o = new Object() { int z = k(); void m() { int w = q(); } };',
    '  if (a > 0) { int v = p(x); }',
    '} }',
  ].join('\n');
  const got = await withTree('java', text, (t) => {
    const body = t.rootNode.descendantsOfType('method_declaration')[0]!.childForFieldName('body')!;
    return ownNodes(body, ['variable_declarator', 'method_invocation', 'object_creation_expression']).map((n) => `${n.type} ${n.text.split(' ')[0]}`);
  });
  assert.deepEqual(got, [
    'variable_declarator x', 'method_invocation g(a)', 'variable_declarator r', 'variable_declarator o',
    'object_creation_expression new', 'variable_declarator v', 'method_invocation p(x)',
  ]);
});

test('java: NodesByType gives each type\'s nodes, and several types merged in document order, from one walk', async () => {
  const text = 'class A { void f() { g(); new B(); h(); } class C { void k() { new D(); } } }';
  const got = await withTree('java', text, (t) => {
    const found = new NodesByType(t.rootNode, ['method_invocation', 'object_creation_expression', 'class_declaration']);
    return [found.of('method_invocation').map((n) => n.text), found.of('object_creation_expression', 'method_invocation').map((n) => n.text),
      found.of('class_declaration').map((n) => n.childForFieldName('name')!.text)];
  });
  assert.deepEqual(got, [['g()', 'h()'], ['g()', 'new B()', 'h()', 'new D()'], ['A', 'C']]);
  await withTree('java', text, (t) => assert.throws(() => new NodesByType(t.rootNode, ['method_invocation']).of('identifier'), /not collected/));
});
