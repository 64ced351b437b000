/**
 * Conditions that hold only where an error is not nil (issue 13): a successful type assertion
 * `v, ok := err.(T)` (its `ok`), `errors.As(err, &x)` and `errors.Is(err, S)` with a sentinel `S` that is not
 * nil. On their true edge the call that returned `err` acquired nothing, as on the edge of `err != nil`;
 * their false edge says nothing of `err`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeGo } from './index';

async function leaks(src: string): Promise<string[]> {
  const r = await analyzeGo(src, {});
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`);
}

const HEADER = 'package x\n\nimport (\n\t"errors"\n\t"net"\n\t"time"\n)\n\nvar errStop = errors.New("stop")\n\nvar errUnset error\n\n';
const LINES = HEADER.split('\n').length - 1;

/** The accept loop of a server, with `cond` as the condition of the first branch, which retries. */
function acceptLoop(init: string, cond: string): string {
  return `${HEADER}func serve(ln net.Listener, handle func(net.Conn)) error {
	for {
		conn, err := ln.Accept()
		if ${init}${cond} {
			time.Sleep(time.Millisecond)
			continue
		} else if err != nil {
			return err
		}
		go handle(conn)
	}
}
`;
}

test('ok of a type assertion on err in the if initializer: err is not nil there', async () => {
  assert.deepEqual(await leaks(acceptLoop('ne, ok := err.(net.Error); ', 'ok && ne.Timeout()')), []);
  assert.deepEqual(await leaks(acceptLoop('_, ok := err.(*net.OpError); ', 'ok')), []);
});

test('errors.As(err, &x) and errors.Is(err, sentinel) hold only for a non-nil err', async () => {
  assert.deepEqual(await leaks(acceptLoop('', 'errors.Is(err, net.ErrClosed)')), []);
  assert.deepEqual(await leaks(acceptLoop('', 'errors.Is(err, errStop)')), []);
  assert.deepEqual(await leaks(`${HEADER}func serve(ln net.Listener, handle func(net.Conn)) error {
	for {
		conn, err := ln.Accept()
		var ne net.Error
		if errors.As(err, &ne) {
			continue
		} else if err != nil {
			return err
		}
		go handle(conn)
	}
}
`), []);
});

test('errors.Is(err, nil), a nil package variable, a failed assertion and a false errors.Is prove nothing', async () => {
  const at = LINES + 6; // the continue of the retrying branch
  assert.deepEqual(await leaks(acceptLoop('', 'errors.Is(err, nil)')), [`${at}:conn`]);
  assert.deepEqual(await leaks(acceptLoop('', 'errors.Is(err, errUnset)')), [`${at}:conn`]);
  assert.deepEqual(await leaks(acceptLoop('_, ok := err.(net.Error); ', '!ok')), [`${at}:conn`]);
  assert.deepEqual(await leaks(acceptLoop('', '!errors.Is(err, net.ErrClosed)')), [`${at}:conn`]);
  // `err, ok := err.(T)` declares another err: the condition's err (and the else if's) is not the one Accept returned.
  assert.deepEqual(await leaks(acceptLoop('err, ok := err.(net.Error); ', 'ok && err.Timeout()')), [`${at}:conn`, `${at + 2}:conn`]);
});

// ------------------------------------------------------------------ go statements

test('go f(conn).m(): the receiver is evaluated here, and f keeps conn in what it returns', async () => {
  const body = `func serve(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		go newConn(conn).serve()
	}
}
`;
  // newConn of another file (or package): it may keep conn.
  assert.deepEqual(await leaks(`${HEADER}${body}`), []);
  // newConn of this file, storing conn in the struct it returns.
  assert.deepEqual(await leaks(`${HEADER}type Conn struct{ c net.Conn }

func newConn(c net.Conn) *Conn {
	return &Conn{c: c}
}

func (c *Conn) serve() {
	defer c.c.Close()
}

${body}`), []);
  // A receiver that does not take conn: still a leak at the end of the loop's body.
  const at = LINES + 8;
  assert.deepEqual(await leaks(`${HEADER}type worker struct{}

func newWorker() *worker { return &worker{} }

func (w *worker) run() {}

${body.replace('newConn(conn).serve()', 'newWorker().run()')}`), [`${at + 6}:conn`]);
});
