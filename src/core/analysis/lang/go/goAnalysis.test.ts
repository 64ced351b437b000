/**
 * Focused behaviour of the Go analyzer beyond the corpus: options, parse errors, the time budget,
 * goroutine and ownership hand-offs, nil checks, and the exact text of the preferred fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../edits';
import type { AnalysisOptions } from '../../types';
import { analyzeGo } from './index';

async function leaks(src: string, options: AnalysisOptions = {}): Promise<string[]> {
  const r = await analyzeGo(src, options);
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`);
}

function preferredFix(text: string, findings: Awaited<ReturnType<typeof analyzeGo>>['findings']): string {
  const edits = new Map<string, readonly import('../../types').TextEdit[]>();
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.isPreferred);
    if (fix) edits.set(JSON.stringify(fix.edits), fix.edits);
  }
  return applyEdits(text, [...edits.values()].flat());
}

const HEADER = 'package x\n\nimport (\n\t"net"\n\t"net/http"\n\t"os"\n)\n\n';

test('the preferred fix inserts `defer conn.Close()` after the error check, with tabs', async () => {
  const src = `package main

import "net"

func send(addr string, msg []byte) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	if _, err := conn.Write(msg); err != nil {
		return err
	}
	return nil
}
`;
  const r = await analyzeGo(src, {});
  assert.deepEqual(r.findings.map((f) => [f.range.start.line + 1, f.variable, f.function]), [[11, 'conn', 'send'], [13, 'conn', 'send']]);
  const fix = r.findings[0]!.fixes.find((x) => x.isPreferred)!;
  assert.equal(fix.title, 'Defer `conn.Close()`');
  assert.equal(fix.scope, 'all-paths');
  assert.deepEqual(r.findings[1]!.fixes.find((x) => x.isPreferred)!.edits, fix.edits, 'both findings carry the same all-paths fix');
  assert.equal(preferredFix(src, r.findings), src.replace('\t\treturn err\n\t}\n\tif _', '\t\treturn err\n\t}\n\tdefer conn.Close()\n\tif _'));
  assert.deepEqual(await leaks(preferredFix(src, r.findings)), []);
});

test('ownershipTransfers: passing the connection to a listed function hands it over', async () => {
  const src = `${HEADER}func keep(pool *Pool, addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	pool.SetConn(conn)
	return nil
}
`;
  assert.deepEqual(await leaks(src), ['15:conn'], 'a name that says it only uses the value borrows it');
  assert.deepEqual(await leaks(src, { ownershipTransfers: ['pool.SetConn'] }), []);
  assert.deepEqual(await leaks(src, { ownershipTransfers: ['SetConn'] }), []);
});

test('an unknown callee (no summary, no table entry) may keep what it is given: silent', async () => {
  const src = `${HEADER}func keep(pool *Pool, addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	pool.Put(conn)
	return nil
}
func join(addr string, other net.Conn) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	libio.Join(c, other)
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('a same-file function that closes its parameter releases the argument; one that does not, does not', async () => {
  const src = `${HEADER}func shut(c net.Conn) { c.Close() }
func look(c net.Conn) { _ = c.RemoteAddr() }
func a(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	shut(c)
}
func b(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	look(c)
}
`;
  assert.deepEqual(await leaks(src), ['24:c']);
});

test('goroutines: method handlers are followed; code from other packages is assumed to take ownership', async () => {
  const src = `${HEADER}type S struct{}
func (s *S) handle(c net.Conn) { _, _ = c.Write(nil) }
func (s *S) serve(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go s.handle(conn)
	}
}
func other(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go http.ServeConn(conn)
	}
}
`;
  const r = await analyzeGo(src, {});
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}:${f.function}`), ['18:conn:S.serve']);
  const fixed = preferredFix(src, r.findings);
  assert.ok(fixed.includes('func (s *S) handle(c net.Conn) { _, _ = c.Write(nil) }'), 'a one-line handler body is not edited');
  assert.equal(r.findings[0]!.fixes.length, 0, 'no clean edit exists for a one-line handler');
});

test('nil checks, defers before the error check and returned bodies are not leaks', async () => {
  const src = `${HEADER}func a(p string) {
	f, err := os.Open(p)
	if f != nil {
		defer f.Close()
	}
	_ = err
}
func b(p string) {
	f, err := os.Open(p)
	defer f.Close()
	if err != nil {
		return
	}
}
func c(u string) (*http.Response, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	return resp, nil
}
func d(u string) error {
	resp, err := http.Post(u, "text/plain", nil)
	if err == nil {
		resp.Body.Close()
	}
	return err
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('labelled continue out of a nested loop leaks the connection of the outer body', async () => {
  const src = `${HEADER}func f(ln net.Listener, words []string) {
outer:
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		for _, w := range words {
			if w == "" {
				continue outer
			}
		}
		conn.Close()
	}
}
`;
  assert.deepEqual(await leaks(src), ['18:conn']);
});

test('things that are not acquisitions are ignored', async () => {
  const src = `${HEADER}func f(cache *Cache, k string) {
	v, err := cache.Get(k)
	_, _ = v, err
	req, err := http.NewRequest("GET", k, nil)
	_, _ = req, err
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('syntax errors: no throw, the parsable functions are still analysed', async () => {
  const src = `${HEADER}func broken( {
	x := [
}

func leaky(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	return nil
}
`;
  const r = await analyzeGo(src, {});
  assert.equal(r.hadParseErrors, true);
  assert.ok(r.notes.some((n) => n.includes('syntax errors')));
  assert.ok(r.findings.some((f) => f.variable === 'f'), `findings: ${r.findings.map((f) => f.variable).join(',')}`);
});

test('a spent time budget stops the analysis with a note', async () => {
  const src = `${HEADER}func f(p string) error {
	file, err := os.Open(p)
	if err != nil {
		return err
	}
	return nil
}
`;
  const r = await analyzeGo(src, { timeBudgetMs: -1 });
  assert.deepEqual(r.findings, []);
  assert.ok(r.notes.some((n) => n.includes('time budget')), r.notes.join('; '));
});

test('no `defer x.Close()` is offered for a resource handed over on some later path', async () => {
  const src = `${HEADER}type Server struct{ ln net.Listener }
func newServer(addr string, strict bool) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if strict {
		return nil, os.ErrInvalid
	}
	return &Server{ln: ln}, nil
}
func dial(addr string, keep bool) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if keep {
		return conn, nil
	}
	return nil, nil
}
`;
  const r = await analyzeGo(src, {});
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`), ['16:ln', '28:conn']);
  for (const f of r.findings) {
    assert.ok(f.fixes.length > 0, `${f.variable}: a close before the leaking return is still offered`);
    for (const fix of f.fixes) assert.ok(!fix.edits.some((e) => e.newText.includes('defer')), `${f.variable}: ${fix.title} defers a close`);
  }
  assert.deepEqual(await leaks(preferredFix(src, r.findings)), []);
});

test('the error result guards its own acquisition: a failed call holds nothing, an unchecked one is closed behind a nil check', async () => {
  const src = `${HEADER}func f(p string) {
	file, err := os.Open(p)
	if err != nil {
		return
	}
	_ = file.Name()
}
func g(p string) {
	file, _ := os.Open(p)
	_ = file
}
`;
  const r = await analyzeGo(src, {});
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`), ['15:file', '19:file']);
  const fixed = preferredFix(src, r.findings);
  assert.ok(fixed.includes('\tdefer file.Close()\n\t_ = file.Name()'), fixed);
  assert.ok(fixed.includes('\tif file != nil {\n\t\tdefer file.Close()\n\t}'), fixed);
});
