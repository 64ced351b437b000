/**
 * Summaries of the file's own functions and methods (./summaries): what they return and whether they
 * practically never raise; and the other calls that practically never raise (registrations, the clock,
 * a class's own storing constructor).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython } from './index';

const lines = (...l: string[]) => l.join('\n') + '\n';

async function findings(text: string): Promise<string[]> {
  return (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`);
}

const CONNECTION = lines(
  'import socket',
  'import warnings',
  'from .util import connection',
  '',
  'class Base:',
  '    def _new_conn(self) -> socket.socket:',
  '        sock = connection.create_connection(self.addr)',
  '        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)',
  '        return sock',
  '',
  '    def _tunnel_host(self):',
  '        return self._host',
  '',
  'class Secure(Base):',
  '    def connect(self):',
  '        sock = self._new_conn()',
  '        if self._tunnel_host():',
  '            self.sock = sock',
  '            return',
  '        warnings.warn("old clock")',
  '        self.sock = wrap(sock)',
);

test('python: a method of the file that returns a new socket acquires it in the caller; a getter of the file practically never raises', async () => {
  // _new_conn is annotated to return a socket and returns the local it bound; _tunnel_host only reads an attribute.
  assert.deepEqual(await findings(CONNECTION), ['17 connect sock information', '20 connect sock warning']);
  // Stored in the object at once: the object owns it (its close() closes it).
  assert.deepEqual(await findings(CONNECTION.replace('        sock = self._new_conn()', '        self.sock = sock = self._new_conn()')), []);
  // Without the annotation the project call is unknown: nothing is acquired.
  assert.deepEqual(await findings(CONNECTION.replace(' -> socket.socket', '')), []);
  // A method that also keeps what it returns (`self.sock = sock`) is not summarised: the object owns the socket.
  assert.deepEqual(await findings(CONNECTION.replace('        return sock', '        self.last = sock\n        return sock')), []);
  // A method that closes or detaches what it returns gives no new resource.
  assert.deepEqual(await findings(CONNECTION.replace('        return sock', '        sock.detach()\n        return sock')), []);
  // A subclass overriding the method with something else makes it unknown.
  assert.deepEqual(await findings(CONNECTION + lines('', 'class Other(Base):', '    def _new_conn(self):', '        return self.pool.get()')), []);
});

test('python: a module function returning a socket of the tables is an acquisition; its arguments are still handed to it', async () => {
  const text = lines(
    'import socket',
    '',
    'def make_listener(port):',
    '    s = socket.socket()',
    '    s.bind(("0.0.0.0", port))',
    '    return s',
    '',
    'def serve(port, handler):',
    '    srv = make_listener(port)',
    '    srv.listen(5)',
    '    handler(srv.accept())',
    '',
    'def adopt():',
    '    c = socket.socket()',
    '    s = make_listener(c)',
    '    s.close()',
  );
  // make_listener itself leaks s when bind() fails; serve() leaks srv if listen() (practically never), accept()
  // or handler() raises; adopt() hands c to the call, which may keep it.
  assert.deepEqual(await findings(text), ['5 make_listener s warning', '10 serve srv information', '11 serve srv warning', '11 serve srv warning']);
});

test('python: registering a descriptor number with a poller and reading the clock practically never raise', async () => {
  const text = lines(
    'import socket',
    'import time',
    '',
    'class Reactor:',
    '    def createSocket(self, af, stype):',
    '        skt = socket.socket(af, stype)',
    '        self.registerHandle(skt.fileno())',
    '        return skt',
    '',
    '    def stamp(self, path):',
    '        f = open(path, "w")',
    '        started = time.monotonic()',
    '        self.register(f.name)',
    '        f.close()',
  );
  assert.deepEqual(await findings(text), ['7 createSocket skt information', '12 stamp f information', '13 stamp f information']);
  // A registration given no descriptor number is no exception to the tables: it fails where its body may (here: a write).
  const writing = text + lines('', '    def register(self, name):', '        self.log.write(name)');
  assert.deepEqual(await findings(writing), ['7 createSocket skt information', '12 stamp f information', '13 stamp f warning']);
});

test("python: in a classmethod, cls(…) of a class whose __init__ only stores and delegates to its base practically never raises", async () => {
  const text = lines(
    'import socket',
    'from twisted.internet import tcp',
    '',
    'class Port(tcp.Port):',
    '    def __init__(self, name, factory, reactor=None):',
    '        tcp.Port.__init__(self, self._buildAddr(name).name, factory, reactor=reactor)',
    '        self.factory = factory',
    '',
    '    @classmethod',
    '    def fromDescriptor(cls, reactor, fd, factory):',
    '        port = socket.fromfd(fd, socket.AF_UNIX, socket.SOCK_STREAM)',
    '        self = cls(port.getsockname(), factory, reactor=reactor)',
    '        self._socket = port',
    '        return self',
  );
  assert.deepEqual(await findings(text), ['12 fromDescriptor port information']);
  // An __init__ that does I/O (here: resolves a name) may raise for real.
  const checking = text.replace('        self.factory = factory', '        self.factory = socket.getaddrinfo(factory, 0)');
  assert.deepEqual(await findings(checking), ['12 fromDescriptor port warning']);
});

test('python: a function of the file that may fall off its end (returning None) is not summarised; one whose every branch returns or raises is', async () => {
  const text = lines(
    'import socket',
    '',
    'def listener(path):',
    '    if path:',
    '        return socket.socket(socket.AF_UNIX)',
    '',
    'def serve(path, data):',
    '    s = listener(path)',
    '    if data:',
    '        return 1',
    '    s.close()',
  );
  // `s` may be None: `with listener(path) as s:` would fail where the code did not.
  assert.deepEqual(await findings(text), []);
  const raising = text.replace('        return socket.socket(socket.AF_UNIX)\n', '        return socket.socket(socket.AF_UNIX)\n    else:\n        raise ValueError(path)\n');
  assert.deepEqual(await findings(raising), ['12 serve s warning']);
  const tried = text.replace('    if path:\n        return socket.socket(socket.AF_UNIX)\n',
    '    try:\n        return socket.socket(socket.AF_UNIX)\n    except OSError:\n        raise RuntimeError(path)\n');
  assert.deepEqual(await findings(tried), ['12 serve s warning']);
  const looping = text.replace('    if path:\n        return socket.socket(socket.AF_UNIX)\n', '    for p in path:\n        return socket.socket(socket.AF_UNIX)\n');
  assert.deepEqual(await findings(looping), []);
});
