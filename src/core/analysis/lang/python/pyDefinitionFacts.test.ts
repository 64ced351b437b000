/**
 * What a definition's own text decides about its summary (./summaries DEFINITION_FACTS) is kept across
 * analyses by that text: an edit of the definition must change what the callers' analysis says, exactly
 * as an analysis from scratch does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython, PYTHON_FUNCTIONS } from './index';
import { DEFINITION_FACTS } from './summaries';

const lines = (...l: string[]) => l.join('\n') + '\n';

async function findings(text: string): Promise<string[]> {
  return (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`);
}

/** The findings of `text` with nothing kept from earlier analyses. */
async function fromScratch(text: string): Promise<string[]> {
  PYTHON_FUNCTIONS.enabled = false;
  try {
    return await findings(text);
  } finally {
    PYTHON_FUNCTIONS.enabled = true;
  }
}

/** Analyses `before` with nothing kept, then `after` (whose other definitions are unchanged, so their facts are looked up). */
async function edit(before: string, after: string): Promise<{ before: string[]; after: string[]; scratch: string[]; hits: number }> {
  DEFINITION_FACTS.clear();
  const first = await findings(before);
  const hits = DEFINITION_FACTS.hits;
  const second = await findings(after);
  return { before: first, after: second, scratch: await fromScratch(after), hits: DEFINITION_FACTS.hits - hits };
}

// `make` returns a new socket (its caller owns it); edited to return something else, `use` holds no socket.
const MAKE = lines(
  'import socket',
  '',
  'def make(addr):',
  '    s = socket.create_connection(addr)',
  '    return s',
  '',
  'def use(addr):',
  '    c = make(addr)',
  '    c.sendall(b"x")',
  '',
  'def other():',
  '    return 1',
);

// `check` raises by itself: the leak of `f` through the call is a warning; edited not to raise, the call practically never does.
const CHECK = lines(
  'def check(x):',
  '    if not x:',
  '        raise ValueError(x)',
  '',
  'def use(p):',
  '    f = open(p)',
  '    check(p)',
  '    data = f.read()',
  '    f.close()',
  '    return data',
);

// `send` only borrows its socket: `use` still owns `s` after the call; edited to keep it, `send` takes it.
const SEND = lines(
  'import socket',
  'kept = []',
  '',
  'def send(sock, data):',
  '    sock.sendall(data)',
  '',
  'def use(addr):',
  '    s = socket.create_connection(addr)',
  '    send(s, b"x")',
);

// `get` is a getter (practically never raises); edited to open a file, it may raise, and `f` leaks through it.
const GETTER = lines(
  'class C:',
  '    def get(self):',
  '        return self.x',
  '',
  '    def use(self, p):',
  '        f = open(p)',
  '        self.get()',
  '        f.close()',
);

const CASES: readonly { name: string; base: string; from: string; to: string }[] = [
  { name: 'a function that returns a new socket stops doing so', base: MAKE, from: '    return s\n', to: '    return None\n' },
  { name: 'a function that raises stops raising', base: CHECK, from: '        raise ValueError(x)\n', to: '        x = 1\n' },
  { name: 'a function that borrows its parameter keeps it', base: SEND, from: '    sock.sendall(data)\n', to: '    sock.sendall(data)\n    kept.append(sock)\n' },
  { name: 'a getter starts opening a file', base: GETTER, from: '        return self.x\n', to: '        return open(self.x).read()\n' },
];

for (const c of CASES) {
  test(`Python definition facts: ${c.name}; the callers' findings change as from scratch, both ways`, async () => {
    assert.ok(c.base.includes(c.from));
    const edited = c.base.replace(c.from, c.to);
    for (const [from, to] of [[c.base, edited], [edited, c.base]] as const) {
      const r = await edit(from, to);
      assert.deepEqual(r.after, r.scratch);
      assert.notDeepEqual(r.after, r.before, 'the edit changes the findings');
      assert.ok(r.hits > 0, 'the unchanged definitions\' facts were looked up');
    }
  });
}
