import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { withTree } from '../../parser';
import { configurations } from './preproc';

async function configs(text: string): Promise<string[] | null> {
  return withTree('c', text, (t) => configurations(t.rootNode, text));
}

/** The non-blank lines of a configuration, trimmed. */
function kept(config: string): string[] {
  return config.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

test('a file without conditionals has no configurations to resolve', async () => {
  assert.equal(await configs('int f(void) { return 0; }\n'), null);
});

test('first parts in one configuration, #else parts in the other; offsets and lines kept', async () => {
  const text = 'int a;\n#ifdef X\nint b;\n#elif defined(Y)\nint c;\n#else\nint d;\n#endif\n#ifdef Z\nint e;\n#endif\n';
  const out = await configs(text);
  assert.ok(out);
  assert.equal(out.length, 2);
  for (const c of out) {
    assert.equal(c.length, text.length);
    assert.equal(c.split('\n').length, text.split('\n').length);
  }
  assert.deepEqual(kept(out[0]!), ['int a;', 'int b;', 'int e;']);
  assert.deepEqual(kept(out[1]!), ['int a;', 'int d;', 'int e;']);
});

test('#if 0 is dead in every configuration, #if 1 takes its first part, macros defined above are known', async () => {
  const text = [
    '#define HAVE_A 1', '#if 0', 'int dead;', '#endif', '#if 1', 'int one;', '#else', 'int notone;', '#endif',
    '#ifdef HAVE_A', 'int a;', '#else', 'int nota;', '#endif', '#ifndef HAVE_A', 'int nota2;', '#endif',
    '#if !defined(HAVE_A) && 1', 'int nota3;', '#else', 'int a3;', '#endif', '',
  ].join('\n');
  const out = await configs(text);
  assert.ok(out);
  assert.equal(out.length, 1, 'nothing left to choose');
  assert.deepEqual(kept(out[0]!), ['#define HAVE_A 1', 'int one;', 'int a;', 'int a3;']);
});

test('a macro defined only after the conditional, or inside one, is not known (header guards stay)', async () => {
  const text = '#ifndef H_GUARD\n#define H_GUARD\nint x;\n#endif\n';
  const out = await configs(text);
  assert.ok(out);
  assert.deepEqual(kept(out[0]!), ['#define H_GUARD', 'int x;']);
});

test('continued directive lines are blanked whole; unpaired directives leave the file as it is', async () => {
  const out = await configs('#if defined(A) || \\\n    defined(B)\nint a;\n#endif\n');
  assert.ok(out);
  assert.deepEqual(kept(out[0]!), ['int a;']);
  assert.equal(await configs('int a;\n#endif\n'), null);
});

test('braces split by #if/#else parse in each configuration (directives found also inside parse errors)', async () => {
  const text = [
    'int f(const char *name) {', '#if (WIN)', '    if (name[1] != \':\') {', '#else', '    if (name[0] != \'/\') {', '#endif',
    '        return 1;', '    }', '    return 0;', '}', '',
  ].join('\n');
  const out = await configs(text);
  assert.ok(out);
  assert.equal(out.length, 2);
  for (const c of out) assert.equal(await withTree('c', c, (t) => t.rootNode.hasError), false);
});
