/** ifStatementChain on real syntax trees: the arms and final else it finds, and the owner of each statement. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parser, type Node } from 'web-tree-sitter';
import { loadLanguage } from '../../parser';
import { connectPreds, type Pred } from '../builder';
import { ifStatementChain } from './ifChain';

async function firstIf(lang: 'c' | 'java' | 'go', source: string): Promise<Node> {
  const language = await loadLanguage(lang); // initialises the parser module first
  const parser = new Parser();
  parser.setLanguage(language);
  const stack = [parser.parse(source)!.rootNode];
  while (stack.length) {
    const n = stack.shift()!;
    if (n.type === 'if_statement') return n;
    stack.push(...n.namedChildren.filter((c): c is Node => !!c));
  }
  throw new Error('no if statement');
}

/** Builds the chain with one node per condition (named by its text) and per statement; lists the edges. */
function chain(first: Node, elseIfArms: boolean): { edges: string[]; owners: string[]; out: string[] } {
  const nodes: { name: string; succ: number[] }[] = [{ name: 'entry', succ: [] }];
  const add = (name: string, cond: boolean): number => nodes.push({ name, succ: cond ? [-1, -1] : [] }) - 1;
  const owners: string[] = [];
  const out = ifStatementChain(first, [{ from: 0, slot: -1 }], {
    condition: (arm, preds) => {
      const c = add(`if ${arm.childForFieldName('condition')!.text.replace(/[()\s]/g, '')}`, true);
      connectPreds(nodes, preds, c);
      return { t: [{ from: c, slot: 0 }], f: [{ from: c, slot: 1 }] };
    },
    statement: (stmt, preds: Pred[], owner) => {
      const s = add(stmt.text.replace(/\s+/g, ''), false);
      connectPreds(nodes, preds, s);
      owners.push(owner.type);
      return [{ from: s, slot: -1 }];
    },
    elseIfArms,
  });
  const edges = nodes.flatMap((n) => n.succ.map((s, i) => `${n.name}${n.succ.length === 2 ? `.${i}` : ''}->${s < 0 ? '?' : nodes[s]!.name}`));
  return { edges, owners, out: out.map((p) => nodes[p.from]!.name) };
}

test('ifStatementChain: C else clauses; an else-if is another arm, the final else is owned by its else clause', async () => {
  const c = chain(await firstIf('c', 'void f(int a, int b) { if (a) x(); else if (b) y(); else z(); }'), true);
  assert.deepEqual(c.edges, ['entry->if a', 'if a.0->x();', 'if a.1->if b', 'if b.0->y();', 'if b.1->z();']);
  assert.deepEqual(c.owners, ['if_statement', 'if_statement', 'else_clause']);
  assert.deepEqual(c.out, ['x();', 'y();', 'z();']);
});

test('ifStatementChain: without an else the last false edge leaves; without else-if arms an else-if is one statement', async () => {
  const java = chain(await firstIf('java', 'class A { void f() { if (a) { x(); } else if (b) { y(); } } }'), true);
  assert.deepEqual(java.out, ['{x();}', '{y();}', 'if b']);
  const go = chain(await firstIf('go', 'package p\nfunc f() { if a { x() } else if b { y() } }'), false);
  assert.deepEqual(go.edges, ['entry->if a', 'if a.0->{x()}', 'if a.1->ifb{y()}']);
  assert.deepEqual(go.owners, ['if_statement', 'if_statement']);
});
