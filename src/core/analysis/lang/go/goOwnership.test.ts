/**
 * Go shapes found on real code (issue 13): APIs matched by declared type and imports rather than by
 * method name, wrappers and callbacks that take ownership, unknown callees, discarded responses,
 * immediately called literals, t.Cleanup, bare returns of named results, and fixes that never
 * defer a close of what is handed over. One minimal fixture per shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeGo } from './index';

async function leaks(src: string): Promise<string[]> {
  const r = await analyzeGo(src, {});
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`);
}

const HEADER = 'package x\n\nimport (\n\t"net"\n\t"net/http"\n\t"os"\n)\n\n';

// ------------------------------------------------------------------ types, not names

test('a project method named Do or Dial returning its own struct is not net/http or net', async () => {
  const src = `${HEADER}type stunClient struct{}
type Resp struct{ Body []byte }
func (c *stunClient) Do(r int) (*Resp, error) { return &Resp{}, nil }
type dialer struct{}
func (d *dialer) Dial() (*Resp, error) { return nil, nil }
func a(client *stunClient, d *dialer) error {
	resp, err := client.Do(1)
	if err != nil {
		return err
	}
	s, err := d.Dial()
	if err != nil {
		return err
	}
	_, _ = resp, s
	return nil
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('an HTTP client is known by its declared type: parameter, struct field, alias import, http.DefaultClient', async () => {
  const src = `package x

import (
	"errors"
	nethttp "net/http"
)

type loader struct {
	client *nethttp.Client
}

func (l *loader) load(u string) error {
	resp, err := l.client.Get(u)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return errors.New("status")
	}
	return resp.Body.Close()
}

func viaParam(c *nethttp.Client, r *nethttp.Request) error {
	resp, err := c.Do(r)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return errors.New("status")
	}
	return resp.Body.Close()
}

func viaDefault(u string) error {
	resp, err := nethttp.DefaultClient.Get(u)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return errors.New("status")
	}
	return resp.Body.Close()
}
`;
  assert.deepEqual(await leaks(src), ['18:resp.Body', '29:resp.Body', '40:resp.Body']);
});

test('a receiver of unknown type is silent; a net.Listener parameter or a *net.Dialer literal is known', async () => {
  const src = `${HEADER}func unknown(ln interface{ Accept() (net.Conn, error) }) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	_ = c.LocalAddr()
}
func known(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	_ = c.LocalAddr()
}
func dialer(addr string) {
	d := &net.Dialer{}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return
	}
	_ = c.LocalAddr()
}
`;
  assert.deepEqual(await leaks(src), ['22:c', '30:c']);
});

test('a function of the file declared to return (net.Conn, error) gives its caller a connection', async () => {
  const src = `${HEADER}type S struct{}
func (s *S) connect() (net.Conn, error) { return net.Dial("tcp", "x:1") }
func (s *S) use() error {
	conn, err := s.connect()
	if err != nil {
		return err
	}
	if _, err := conn.Write(nil); err != nil {
		return err
	}
	return conn.Close()
}
`;
  assert.deepEqual(await leaks(src), ['17:conn']);
});

// ------------------------------------------------------------------ hand-offs

test('wrappers take ownership: tls.Client, tls.NewListener, a bufio reader stored in a field, a struct literal returned', async () => {
  const src = `package x

import (
	"bufio"
	"crypto/tls"
	"net"
)

type peer struct{ r *bufio.Reader }

func a(addr string, cfg *tls.Config) *tls.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil
	}
	return tls.Client(c, cfg)
}

func b(cfg *tls.Config) net.Listener {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		return nil
	}
	return tls.NewListener(l, cfg)
}

func c(p *peer, addr string) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	p.r = bufio.NewReader(conn)
}

func d(addr string) (*peer, net.Conn) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, nil
	}
	return &peer{}, conn
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('a bufio reader kept in a local does not take the connection', async () => {
  const src = `package x

import (
	"bufio"
	"net"
)

func a(addr string) (string, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	r := bufio.NewReader(conn)
	return r.ReadString('\\n')
}
`;
  assert.deepEqual(await leaks(src), ['14:conn']);
});

test('a wrapper whose error is checked takes the resource only on success', async () => {
  const src = `${HEADER}type S struct{ m interface{} }
func (s *S) a(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.m, err = vhost.NewMuxer(l)
	if err != nil {
		return err
	}
	return nil
}
`;
  const r = await analyzeGo(src, {});
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`), ['17:l']);
  assert.deepEqual(r.findings[0]!.fixes, [], 'the failed callee may have closed it: no close is proven safe');
});

test('sending on a channel, appending to a slice and a callback that sends hand the connection over', async () => {
  const src = `${HEADER}func a(ln net.Listener, ch chan net.Conn) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	ch <- c
}
func b(ln net.Listener, all *[]net.Conn) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	*all = append(*all, c)
}
func c(ln net.Listener, ch chan net.Conn) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		err = safe(func() { ch <- c })
		if err != nil {
			c.Close()
			return
		}
	}
}
func safe(f func()) error { f(); return nil }
`;
  assert.deepEqual(await leaks(src), []);
});

// ------------------------------------------------------------------ closes

test('defer inside an immediately called literal, defer func(){ _ = x.Close() }() and t.Cleanup close', async () => {
  const src = `package x

import (
	"net"
	"testing"
)

func a(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	func() {
		defer c.Close()
		_, _ = c.Write(nil)
	}()
}

func b(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer func() { _ = c.Close() }()
	_, _ = c.Write(nil)
}

func TestC(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('named results returned by a bare return are handed to the caller', async () => {
  const src = `${HEADER}func a(addr string) (conn net.Conn, err error) {
	conn, err = net.Dial("tcp", addr)
	if err != nil {
		return
	}
	return
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('a response discarded with _ leaks at the statement', async () => {
  const src = `${HEADER}func ping(u string) error {
	_, err := http.Get(u)
	return err
}
`;
  const r = await analyzeGo(src, {});
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`), ['10:_.Body']);
  assert.equal(r.findings[0]!.fixes.length, 0, 'nothing names the response: no fix');
});

// ------------------------------------------------------------------ fixes

test('no `defer x.Close()` is offered for a resource returned or stored on another path', async () => {
  const src = `${HEADER}type S struct{ f *os.File }
func (s *S) open(p string, keep bool) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	if !keep {
		return nil
	}
	s.f = f
	return nil
}
`;
  const r = await analyzeGo(src, {});
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`), ['16:f']);
  for (const f of r.findings) {
    for (const fix of f.fixes) assert.ok(!fix.edits.some((e) => e.newText.includes('defer')), `no defer: ${fix.title}`);
  }
  assert.ok(r.findings[0]!.fixes.some((x) => x.edits.some((e) => e.newText.includes('f.Close()'))), 'a close before the leaking return is offered');
});

test('a deferred literal that closes unless a flag says the resource was handed on closes it', async () => {
  const src = `${HEADER}func a(addr string) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			_ = conn.Close()
		}
	}()
	if _, err := conn.Write(nil); err != nil {
		return nil, err
	}
	keep = true
	return conn, nil
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('a file given to pprof.StartCPUProfile stays open on purpose', async () => {
  const src = `package x

import (
	"os"
	"runtime/pprof"
)

func profile(p string) {
	f, err := os.Create(p)
	if err != nil {
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return
	}
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('leaving main() of package main ends the process: no leak at its returns; a loop inside main still leaks', async () => {
  const src = `package main

import "os"

func main() {
	out, err := os.Create("x")
	if err != nil {
		os.Exit(1)
	}
	_, _ = out.Write(nil)
	for _, p := range os.Args {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		_, _ = f.Stat()
	}
}
`;
  assert.deepEqual(await leaks(src), ['17:f']);
});

test('a loop over a ticker channel never ends; fcgi.Serve keeps its listener', async () => {
  const src = `package x

import (
	"net"
	"net/http/fcgi"
	"os"
	"time"
)

func stats(p string) {
	fd, err := os.Create(p)
	if err != nil {
		return
	}
	for range time.NewTicker(time.Second).C {
		_, _ = fd.WriteString("x")
	}
}

func serve(addr string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return
	}
	if err := fcgi.Serve(l, nil); err != nil {
		return
	}
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('a top-level defer also closes what is acquired after it, at every later return', async () => {
  const src = `${HEADER}func copyLines(lines []string, p string) {
	var f *os.File
	defer func() {
		if f != nil {
			_ = f.Close()
		}
	}()
	for _, l := range lines {
		if f == nil {
			var err error
			f, err = os.Create(p)
			if err != nil {
				continue
			}
		}
		if _, err := f.WriteString(l); err != nil {
			return
		}
	}
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('`l, err = wrap(l)` loses l\'s old value on failure (no name left to close it: silent); a stored literal that returns a captured file takes it', async () => {
  const src = `${HEADER}type Options struct{ OpenFile func() (*os.File, error) }
func a(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if l, err = keepalive.NewListener(l); err != nil {
		return nil, err
	}
	return l, nil
}
func b(opts *Options, p string) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	opts.OpenFile = func() (*os.File, error) { return f, nil }
	return nil
}
`;
  const r = await analyzeGo(src, {});
  assert.deepEqual(r.findings.map((f) => `${f.ruleId}:${f.range.start.line + 1}:${f.variable}`), []);
});

test('`rw, err = wrap(rw)` over an alias: on the error edge the acquired conn is still open under its own name', async () => {
  const src = `package x

import (
	"io"
	"net"

	libio "example.com/lib/io"
)

func a(addr string, key []byte) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	var rw io.ReadWriteCloser = conn
	rw, err = libio.WithEncryption(rw, key)
	if err != nil {
		return
	}
	libio.Join(rw)
}

func fixed(addr string, key []byte) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	var rw io.ReadWriteCloser = conn
	rw, err = libio.WithEncryption(rw, key)
	if err != nil {
		conn.Close()
		return
	}
	libio.Join(rw)
}

func loop(addrs []string, key []byte) {
	for _, addr := range addrs {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			continue
		}
		var rw io.ReadWriteCloser = conn
		if rw, err = libio.WithEncryption(rw, key); err != nil {
			conn.Close()
			continue
		}
		libio.Join(rw)
	}
}
`;
  const r = await analyzeGo(src, {});
  assert.deepEqual(r.findings.map((f) => `${f.ruleId}:${f.range.start.line + 1}:${f.variable}`), ['sockscope.leak:18:conn']);
  // The callee may have closed it on failure: no close is offered.
  assert.deepEqual(r.findings[0]!.fixes, []);
});

test('a TLS wrapper kept in a local names its conn: a failed handshake leaks it, closing/returning/storing the wrapper does not', async () => {
  const src = `package x

import (
	"crypto/tls"
	"net"
)

type peer struct{ c net.Conn }

func leaky(addr string, cfg *tls.Config) (*tls.Conn, error) {
	dc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c := tls.Client(dc, cfg)
	if err := c.Handshake(); err != nil {
		return nil, err
	}
	return c, nil
}

func closed(addr string, cfg *tls.Config) error {
	dc, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c := tls.Client(dc, cfg)
	defer c.Close()
	return c.Handshake()
}

func closedInLiteral(addr string, cfg *tls.Config) error {
	dc, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	var c *tls.Conn = tls.Client(dc, cfg)
	defer func() { c.Close() }()
	return c.Handshake()
}

func stored(p *peer, addr string, cfg *tls.Config) {
	dc, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	c := tls.Client(dc, cfg)
	p.c = c
}

func serve(conn net.Conn, cfg *tls.Config) {
	tc := tls.Server(conn, cfg)
	defer tc.Close()
	_ = tc.Handshake()
}

func listen(cfg *tls.Config) error {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		return err
	}
	tl := tls.NewListener(l, cfg)
	defer tl.Close()
	for {
		c, err := tl.Accept()
		if err != nil {
			return err
		}
		go serve(c, cfg)
	}
}

func closedOnFailure(addr string, cfg *tls.Config) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	conn = tls.Client(conn, cfg)
	if err := conn.(*tls.Conn).Handshake(); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}
`;
  assert.deepEqual(await leaks(src), ['17:dc']);
  const rpc = `package x

import (
	"net"
	"net/rpc"
	"net/textproto"
)

func call(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	client := rpc.NewClient(conn)
	defer client.Close()
	return client.Call("S.M", 1, nil)
}

func greet(addr string) (string, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	tc := textproto.NewConn(conn)
	line, err := tc.ReadLine()
	if err != nil {
		return "", err
	}
	return line, tc.Close()
}
`;
  assert.deepEqual(await leaks(rpc), ['27:conn']);
});

test('Accept on a listener closed just before acquires nothing; a listener reopened or closed on one branch still does', async () => {
  const src = `package x

import (
	"net"
	"testing"
)

func TestClosedAccept(t *testing.T) {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	_, err = l.Accept()
	if err == nil {
		t.Error("accepted")
	}
	c, err := l.Accept()
	_ = err
	_ = c
}

func reopened() {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		return
	}
	l.Close()
	l, err = net.Listen("tcp", ":0")
	if err != nil {
		return
	}
	defer l.Close()
	c, err := l.Accept()
	if err != nil {
		return
	}
	_ = c
}

func maybeClosed(stop bool) {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		return
	}
	defer l.Close()
	if stop {
		l.Close()
	}
	c, err := l.Accept()
	if err != nil {
		return
	}
	_ = c
}
`;
  assert.deepEqual(await leaks(src), ['39:c', '55:c']);
});
