/**
 * Go packages of the workspace module (issue 13): a helper declared in another package of the same
 * module, found through go.mod, is known by its declared results; anything outside the module stays
 * unknown (silence).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeSource } from './index';
import { GoPackages, gopathFolders, parseGoMod } from './goPackages';

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-gomod-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

async function check(dir: string, rel: string, packages = new GoPackages()): Promise<string[]> {
  const file = path.join(dir, rel);
  const r = await analyzeSource(fs.readFileSync(file, 'utf8'), 'go', {}, { go: packages, file });
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`);
}

const HELPERS = `package k8sutil

import (
	"net"
	"net/http"
)

type Client struct {
	conn net.Conn
}

func Watch(hc *http.Client, url string) (*http.Response, error) {
	return hc.Get(url)
}

func New() *Client { return &Client{} }

func (c *Client) Dial(addr string) (net.Conn, error) {
	return net.Dial("tcp", addr)
}

// Conn hands out the connection the client holds: the caller does not own it.
func (c *Client) Conn() (net.Conn, error) {
	return c.conn, nil
}
`;

const USER = `package controller

import (
	"errors"
	"net/http"

	"example.com/app/pkg/k8sutil"
)

func monitor(hc *http.Client) error {
	resp, err := k8sutil.Watch(hc, "x")
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return errors.New("bad status")
	}
	return resp.Body.Close()
}

func dial(name string) error {
	c := k8sutil.New()
	conn, err := c.Dial(name)
	if err != nil {
		return err
	}
	if name == "" {
		return nil
	}
	return conn.Close()
}

func held(name string) error {
	c := k8sutil.New()
	conn, err := c.Conn()
	if err != nil {
		return err
	}
	if name == "" {
		return nil
	}
	return conn.Close()
}
`;

const FOUND = ['16:resp.Body', '28:conn'];

test('a helper of another package of the module (function, method of its type) acquires by its declared results', async () => {
  const dir = tree({ 'go.mod': 'module example.com/app\n\ngo 1.21\n', 'pkg/k8sutil/k8sutil.go': HELPERS, 'pkg/controller/controller.go': USER });
  assert.deepEqual(await check(dir, 'pkg/controller/controller.go'), FOUND);
});

test('under another module path, or in a nested module, the import stays unknown: silent', async () => {
  const other = tree({ 'go.mod': 'module example.com/other\n', 'pkg/k8sutil/k8sutil.go': HELPERS, 'pkg/controller/controller.go': USER });
  assert.deepEqual(await check(other, 'pkg/controller/controller.go'), []);
  const nested = tree({
    'go.mod': 'module example.com/app\n', 'pkg/k8sutil/go.mod': 'module example.com/k8sutil\n',
    'pkg/k8sutil/k8sutil.go': HELPERS, 'pkg/controller/controller.go': USER,
  });
  assert.deepEqual(await check(nested, 'pkg/controller/controller.go'), []);
});

test("without go.mod (GOPATH era), the repository's own import prefix is inferred from the folders its imports name", async () => {
  // Checked out anywhere, under a name that is not the one its imports use (a renamed repository).
  const renamed = USER.replace('"example.com/app/pkg/k8sutil"', '"github.com/old/name/pkg/k8sutil"');
  const dir = tree({ 'checkout/pkg/k8sutil/k8sutil.go': HELPERS, 'checkout/pkg/controller/controller.go': renamed });
  assert.deepEqual(await check(dir, 'checkout/pkg/controller/controller.go'), FOUND);
});

test('without go.mod, a vendored copy comes first, and a prefix that two candidates explain equally resolves nothing', async () => {
  const vendored = tree({
    'repo/vendor/example.com/lib/k8sutil/k8sutil.go': HELPERS,
    'repo/pkg/controller/controller.go': USER.replace('"example.com/app/pkg/k8sutil"', '"example.com/lib/k8sutil"'),
  });
  assert.deepEqual(await check(vendored, 'repo/pkg/controller/controller.go'), FOUND);
  // Two imports, two prefixes, one folder each: which one is the repository cannot be told.
  const tie = USER.replace('"example.com/app/pkg/k8sutil"', '"example.com/app/pkg/k8sutil"\n\t"other.org/x/pkg/tool"');
  const dir = tree({ 'r/pkg/k8sutil/k8sutil.go': HELPERS, 'r/pkg/tool/tool.go': 'package tool\n', 'r/pkg/controller/controller.go': tie });
  assert.deepEqual(await check(dir, 'r/pkg/controller/controller.go'), []);
});

test('gopathFolders: standard library paths are never matched by suffix; the .git folder bounds the search', () => {
  const dir = tree({ 'outer/http/h.go': 'package http\n', 'outer/repo/.git/HEAD': '', 'outer/repo/pkg/a/a.go': 'package a\n', 'outer/repo/cmd/main.go': 'package main\n' });
  const from = path.join(dir, 'outer/repo/cmd');
  assert.deepEqual([...gopathFolders(from, ['net/http', 'example.com/r/pkg/a', 'example.com/r/http'])],
    [['example.com/r/pkg/a', path.join(dir, 'outer/repo/pkg/a')]]);
});

test('a module that go.mod replaces with a local folder is read; a versioned replacement is not', async () => {
  const user = USER.replace('"example.com/app/pkg/k8sutil"', '"example.com/lib/k8sutil"');
  const local = tree({
    'app/go.mod': 'module example.com/app\n\nreplace (\n\texample.com/lib => ../lib // local copy\n)\n',
    'lib/go.mod': 'module example.com/lib\n', 'lib/k8sutil/k8sutil.go': HELPERS, 'app/controller.go': user,
  });
  assert.deepEqual(await check(local, 'app/controller.go'), FOUND);
  const versioned = tree({
    'app/go.mod': 'module example.com/app\nreplace example.com/lib => example.com/fork v1.0.0\n',
    'lib/go.mod': 'module example.com/lib\n', 'lib/k8sutil/k8sutil.go': HELPERS, 'app/controller.go': user,
  });
  assert.deepEqual(await check(versioned, 'app/controller.go'), []);
});

test('an imported package is read again when its files change', async () => {
  const dir = tree({ 'go.mod': 'module example.com/app\n', 'pkg/k8sutil/k8sutil.go': HELPERS, 'pkg/controller/controller.go': USER });
  const packages = new GoPackages();
  assert.deepEqual(await check(dir, 'pkg/controller/controller.go', packages), FOUND);
  // Now the helpers return the package's own types, which are not resources.
  fs.writeFileSync(path.join(dir, 'pkg/k8sutil/k8sutil.go'), HELPERS.replace('(*http.Response, error)', '(*Reply, error)').replace('(net.Conn, error) {\n\treturn net.Dial', '(*Reply, error) {\n\treturn nil, nil\n}\n\nfunc x(addr string) (net.Conn, error) {\n\treturn net.Dial') + '\ntype Reply struct{ Body http.Response }\n');
  assert.deepEqual(await check(dir, 'pkg/controller/controller.go', packages), []);
});

test('parseGoMod: module path, local replacements (single and in a block), comments', () => {
  const m = parseGoMod('// c\nmodule "example.com/app" // x\n\nrequire (\n\tfoo v1\n)\nreplace example.com/a => ./a\nreplace (\n\texample.com/b v1.2.0 => ../b\n\texample.com/c => example.com/d v1\n)\n', '/r');
  assert.equal(m?.path, 'example.com/app');
  assert.deepEqual([...(m?.replaced ?? [])], [['example.com/a', path.resolve('/r', 'a')], ['example.com/b', path.resolve('/r', '../b')]]);
  assert.equal(parseGoMod('go 1.21\n', '/r'), null);
});

test('a function of another package of the module borrows a parameter its body only uses, and keeps one it stores or closes', async () => {
  const util = `package netutil

import "net"

type Pool struct{ conns []net.Conn }

func Greet(c net.Conn) error {
	_, err := c.Write([]byte("hi"))
	return err
}

func Shut(c net.Conn) {
	c.Close()
}

func (p *Pool) Put(c net.Conn) {
	p.conns = append(p.conns, c)
}
`;
  const user = `package app

import (
	"net"

	"example.com/app/netutil"
)

func greet(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	err = netutil.Greet(c)
	return err
}

func shut(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	netutil.Shut(c)
	return nil
}

func keep(p *netutil.Pool, addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	p.Put(c)
	return nil
}
`;
  const dir = tree({ 'go.mod': 'module example.com/app\n', 'netutil/netutil.go': util, 'app.go': user });
  assert.deepEqual(await check(dir, 'app.go'), ['15:c']);
});

test('a function of another package of the module that may keep an argument, its error checked right after, takes it only on success', async () => {
  const util = `package netutil

import (
	"log"
	"net"
)

type Wrapped struct{ c net.Conn }

func Wrap(c net.Conn, l *log.Logger) (*Wrapped, error) {
	l.Printf("wrapping")
	w := &Wrapped{c: c}
	return w, nil
}
`;
  const user = `package app

import (
	"errors"
	"log"
	"net"

	"example.com/app/netutil"
)

func open(addr string, l *log.Logger) (*netutil.Wrapped, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	w, err := netutil.Wrap(c, l)
	if err != nil {
		return nil, errors.New("wrap")
	}
	return w, nil
}
`;
  const dir = tree({ 'go.mod': 'module example.com/app\n', 'netutil/netutil.go': util, 'app.go': user });
  assert.deepEqual(await check(dir, 'app.go'), ['18:c']);
});

test('an edit of an imported function\'s body alone (same declarations) is seen: what it does with its arguments changed', async () => {
  const util = (body: string) => `package netutil

import "net"

var kept []net.Conn

func Greet(c net.Conn) error {
${body}
}
`;
  const user = `package app

import (
	"net"

	"example.com/app/netutil"
)

func greet(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	err = netutil.Greet(c)
	return err
}
`;
  const dir = tree({ 'go.mod': 'module example.com/app\n', 'netutil/netutil.go': util('\t_, err := c.Write([]byte("hi"))\n\treturn err'), 'app.go': user });
  const packages = new GoPackages();
  assert.deepEqual(await check(dir, 'app.go', packages), ['15:c']);
  // Greet now keeps the connection: the caller hands it over.
  fs.writeFileSync(path.join(dir, 'netutil/netutil.go'), util('\tkept = append(kept, c)\n\treturn nil'));
  assert.deepEqual(await check(dir, 'app.go', packages), []);
});
