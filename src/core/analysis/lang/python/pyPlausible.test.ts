/**
 * Issue 13: an exception-only leak is a warning only when the call the exception comes from plausibly
 * fails at runtime (socket or file I/O, network/file/OS functions of the standard library, an acquisition,
 * an assertion, an awaited call, a call on a resource the function holds, a function of the file that
 * does such things or raises). Any other call (a constructor of a class defined elsewhere, ctypes,
 * formatting, a method of an object nothing is known of) puts the leak at information severity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython } from './index';

const lines = (...l: string[]) => l.join('\n') + '\n';

async function findings(text: string): Promise<string[]> {
  return (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`);
}

test('python: an exception-only leak through a call that practically never fails is below warning', async () => {
  const text = lines(
    'import ctypes',
    'import socket',
    'import tempfile',
    'from .message import FileMessage',
    '',
    'def make(path, addr):',
    '    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)',
    '    size = ctypes.c_int()',
    '    name = tempfile.mktemp()',
    '    label = "{}:{}".format(*addr)',
    '    msg = FileMessage(path, label, name)',
    '    s.close()',
    '    return msg',
  );
  // ctypes, a name for a temporary file, formatting, a constructor of another module: none of them fails in practice.
  assert.deepEqual(await findings(text), ['8 make s information', '9 make s information', '10 make s information', '11 make s information']);
});

test('python: an exception-only leak through connect or send is a warning', async () => {
  const text = lines(
    'import socket',
    '',
    'def ping(addr, data):',
    '    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)',
    '    s.settimeout(3)',
    '    s.connect(addr)',
    '    s.sendall(data)',
    '    s.close()',
  );
  assert.deepEqual(await findings(text), ['5 ping s information', '6 ping s warning', '7 ping s warning']);
});

test('python: an exception-only leak through a function or method of the file is a warning only when its body does I/O or raises', async () => {
  const text = lines(
    'import socket',
    '',
    'def resolve(addr):',
    '    return socket.getaddrinfo(addr[0], addr[1])',
    '',
    'def describe(addr):',
    '    return "peer %s" % (addr,)',
    '',
    'def check(addr):',
    '    if not addr:',
    '        raise ValueError(addr)',
    '',
    'class Client:',
    '    def remember(self, addr):',
    '        self.addr = addr',
    '        self.count = len(addr)',
    '',
    '    def open(self, addr):',
    '        s = socket.socket(socket.AF_INET6)',
    '        describe(addr)',
    '        self.remember(addr)',
    '        check(addr)',
    '        self.registry.note(addr)',
    '        resolve(addr)',
    '        self.sock = s',
  );
  // describe() and remember() neither raise nor do I/O, nor does anything known of self.registry; check() raises;
  // resolve() asks the resolver.
  assert.deepEqual(await findings(text), ['20 open s information', '21 open s information', '22 open s warning', '23 open s information', '24 open s warning']);
});

test('python: a buffered write of a string to a text file the function opened is below warning; a write of data of unknown type is not', async () => {
  const text = lines(
    'def log(path, peer, data):',
    '    f = open(path, "a")',
    '    f.write("%s:%d\\n" % (peer.host, peer.port))',
    '    for c in peer.name:',
    '        f.write(3 * " ")',
    '    f.write(data)',
    '    f.close()',
    '',
    'def save(path, body):',
    '    g = open(path, "wb")',
    '    g.write("x")',
    '    g.close()',
  );
  // data may be bytes (a TypeError on a text file); a binary file's write is not the buffered text write.
  assert.deepEqual(await findings(text), ['3 log f information', '5 log f information', '6 log f warning', '11 save g warning']);
});

test('python: a loopback connect to the port of a listener of the process itself is below warning; to any other port it is a warning', async () => {
  const text = lines(
    'import socket',
    'from tornado.testing import AsyncHTTPTestCase',
    '',
    'class T(AsyncHTTPTestCase):',
    '    def raw(self):',
    '        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
    '        s.connect(("127.0.0.1", self.get_http_port()))',
    '        return s',
    '',
    'def to_socket(srv):',
    '    srv.listen(1)',
    '    a = socket.socket()',
    '    a.connect(("127.0.0.1", srv.getsockname()[1]))',
    '    return a',
    '',
    'def to_port(reactor, factory):',
    '    port = reactor.listenTCP(0, factory, interface="127.0.0.1")',
    '    b = socket.socket()',
    '    b.connect(("localhost", port.getHost().port))',
    '    return b',
    '',
    'def to_number(port):',
    '    c = socket.socket()',
    '    c.connect(("127.0.0.1", port))',
    '    return c',
    '',
    'def to_peer(proto):',
    '    d = socket.socket()',
    '    d.connect(("127.0.0.1", proto.transport.getHost().port))',
    '    return d',
    '',
    'def to_remote(srv):',
    '    e = socket.socket()',
    '    e.connect(("10.0.0.1", srv.getsockname()[1]))',
    '    return e',
  );
  // A port number of unknown origin, a transport's own (client) end and a remote host may refuse the connection.
  assert.deepEqual(await findings(text), ['7 raw s information', '13 to_socket a information', '19 to_port b information',
    '24 to_number c warning', '29 to_peer d warning', '34 to_remote e warning']);
});

test('python: get_http_port() is the test server\'s port only where the file uses tornado.testing', async () => {
  const text = lines(
    'import socket',
    '',
    'class Client:',
    '    def raw(self):',
    '        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
    '        s.connect(("127.0.0.1", self.get_http_port()))',
    '        return s',
  );
  assert.deepEqual(await findings(text), ['6 raw s warning']);
});

test('python: os.chmod of the file the statement before made is below warning; of any other path it is a warning', async () => {
  const text = lines(
    'import os',
    'import socket',
    '',
    'def made(path, mode):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    s.bind(path)',
    '    # the socket file exists now',
    '    os.chmod(path, mode)',
    '    return s',
    '',
    'def existing(path, mode):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    os.chmod(path, mode)',
    '    s.bind(path)',
    '    return s',
    '',
    'def other(path, lock, mode):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    s.bind(path)',
    '    os.unlink(lock)',
    '    return s',
    '',
    'def folder(path):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    os.mkdir(path)',
    '    os.unlink(path)',
    '    os.mkdir(path)',
    '    os.rmdir(path)',
    '    return s',
  );
  // unlink() of a directory fails every time; rmdir() of the directory just made does not.
  assert.deepEqual(await findings(text), ['6 made s warning', '8 made s information', '13 existing s warning', '14 existing s warning',
    '19 other s warning', '20 other s warning', '25 folder s warning', '26 folder s warning', '27 folder s warning', '28 folder s information']);
});

test('python: binding a Unix socket to a fresh tempfile.mktemp() name is below warning; to a given path it is a warning', async () => {
  const text = lines(
    'import socket',
    'from tempfile import mktemp',
    '',
    'def fresh():',
    '    s = socket.socket(socket.AF_UNIX)',
    '    path = mktemp(suffix=".sock")',
    '    s.bind(path)',
    '    return s',
    '',
    'def given(path):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    s.bind(path)',
    '    return s',
    '',
    'def anywhere(d):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    path = mktemp(dir=d)',
    '    s.bind(path)',
    '    return s',
    '',
    'def rebound(alt):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    path = mktemp()',
    '    if alt:',
    '        path = alt',
    '    s.bind(path)',
    '    return s',
  );
  // A directory the caller gives may make the name too long for a socket; a path rebound may exist already.
  assert.deepEqual(await findings(text), ['6 fresh s information', '7 fresh s information', '12 given s warning',
    '17 anywhere s information', '18 anywhere s warning', '23 rebound s information', '26 rebound s warning']);
});

test('python: getsockname()[1] is a listener\'s port only where the code shows it listens, on a loopback-reachable address', async () => {
  const text = lines(
    'import socket',
    '',
    'def udp():',
    '    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    '    u.bind(("127.0.0.1", 0))',
    '    a = socket.socket()',
    '    a.connect(("127.0.0.1", u.getsockname()[1]))',
    '    return a, u',
    '',
    'def client(peer):',
    '    b = socket.socket()',
    '    b.connect(("127.0.0.1", peer.getsockname()[1]))',
    '    return b',
    '',
    'def elsewhere():',
    '    srv = socket.socket()',
    '    srv.bind(("10.0.0.1", 0))',
    '    srv.listen(1)',
    '    c = socket.socket()',
    '    c.connect(("127.0.0.1", srv.getsockname()[1]))',
    '    return c, srv',
    '',
    'def made():',
    '    srv = socket.create_server(("127.0.0.1", 0))',
    '    d = socket.socket()',
    '    d.connect(("127.0.0.1", srv.getsockname()[1]))',
    '    return d, srv',
    '',
    'class Server:',
    '    def start(self):',
    '        self.sock = socket.socket()',
    '        self.sock.bind(("", 0))',
    '        self.sock.listen(5)',
    '',
    '    def probe(self):',
    '        e = socket.socket()',
    '        e.connect(("127.0.0.1", self.sock.getsockname()[1]))',
    '        return e',
  );
  // A UDP socket, a socket nothing shows listening (a connected client: its local port refuses) and a listener on
  // another interface may refuse the connection: warnings.
  assert.deepEqual((await findings(text)).filter((f) => !/ (u|srv) /.test(f)), ['7 udp a warning', '12 client b warning',
    '20 elsewhere c warning', '26 made d information', '37 probe e information']);
});

test('python: get_http_port() is the test server\'s port only in a tornado.testing AsyncHTTPTestCase that does not define it', async () => {
  const text = lines(
    'import socket',
    'import tornado.testing',
    '',
    'class Base(tornado.testing.AsyncHTTPTestCase):',
    '    pass',
    '',
    'class T(Base):',
    '    def raw(self):',
    '        s = socket.socket()',
    '        s.connect(("127.0.0.1", self.get_http_port()))',
    '        return s',
    '',
    'class Own(tornado.testing.AsyncHTTPTestCase):',
    '    def get_http_port(self):',
    '        return 8888',
    '',
    '    def raw(self):',
    '        s = socket.socket()',
    '        s.connect(("127.0.0.1", self.get_http_port()))',
    '        return s',
    '',
    'class Other(tornado.testing.AsyncTestCase):',
    '    def raw(self):',
    '        s = socket.socket()',
    '        s.connect(("127.0.0.1", self.get_http_port()))',
    '        return s',
  );
  assert.deepEqual(await findings(text), ['10 raw s information', '19 raw s warning', '25 raw s warning']);
});

test('python: a mktemp() name counts only unshadowed, with no dir, and bound before the bind on every path', async () => {
  const text = lines(
    'import socket',
    'import tempfile',
    '',
    'def inline():',
    '    s = socket.socket(socket.AF_UNIX)',
    '    s.bind(tempfile.mktemp())',
    '    return s',
    '',
    'def literal_dir():',
    '    s = socket.socket(socket.AF_UNIX)',
    '    path = tempfile.mktemp(suffix=".sock", dir="/run/app")',
    '    s.bind(path)',
    '    return s',
    '',
    'def conditional(c, path):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    if c:',
    '        path = tempfile.mktemp()',
    '    s.bind(path)',
    '    return s',
    '',
    'def looped(names):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    path = tempfile.mktemp()',
    '    for path in names:',
    '        pass',
    '    s.bind(path)',
    '    return s',
    '',
    'def opened(f):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    path = tempfile.mktemp()',
    '    with open(f) as path:',
    '        pass',
    '    s.bind(path)',
    '    return s',
  );
  assert.deepEqual(await findings(text), ['6 inline s information', '11 literal_dir s information', '12 literal_dir s warning',
    '18 conditional s information', '19 conditional s warning', '24 looped s information', '27 looped s warning',
    '32 opened s information', '33 opened s warning', '35 opened s warning']);
});

test('python: os.lchmod after the bind is not the chmod that practically never fails (Linux has no os.lchmod)', async () => {
  const text = lines(
    'import os',
    'import socket',
    '',
    'def made(path, mode):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    s.bind(path)',
    '    os.lchmod(path, mode)',
    '    return s',
  );
  assert.deepEqual(await findings(text), ['6 made s warning', '7 made s warning']);
});

test('python: a name holding the own listener\'s port (`port = srv.getsockname()[1]`, `host, port = srv.getsockname()`) is that port', async () => {
  const text = lines(
    'import socket',
    '',
    'def indexed():',
    '    srv = socket.socket()',
    '    srv.bind(("127.0.0.1", 0))',
    '    srv.listen(1)',
    '    port = srv.getsockname()[1]',
    '    a = socket.socket()',
    '    a.connect(("127.0.0.1", port))',
    '    return a, srv',
    '',
    'def unpacked():',
    '    srv = socket.socket()',
    '    srv.bind(("127.0.0.1", 0))',
    '    srv.listen(1)',
    '    host, port = srv.getsockname()',
    '    b = socket.socket()',
    '    b.connect(("127.0.0.1", port))',
    '    return b, srv',
    '',
    'def rebound(other):',
    '    srv = socket.socket()',
    '    srv.bind(("127.0.0.1", 0))',
    '    srv.listen(1)',
    '    host, port = srv.getsockname()',
    '    if other:',
    '        port = other',
    '    c = socket.socket()',
    '    c.connect(("127.0.0.1", port))',
    '    return c, srv',
    '',
    'def not_listening(peer):',
    '    host, port = peer.getsockname()',
    '    d = socket.socket()',
    '    d.connect(("127.0.0.1", port))',
    '    return d',
    '',
    'def first_of_two():',
    '    srv = socket.socket()',
    '    srv.bind(("127.0.0.1", 0))',
    '    srv.listen(1)',
    '    port, host = srv.getsockname()',
    '    e = socket.socket()',
    '    e.connect(("127.0.0.1", port))',
    '    return e, srv',
  );
  // A name bound twice, the address of a socket nothing shows listening, and the host part of the tuple: warnings.
  assert.deepEqual((await findings(text)).filter((f) => !/ srv /.test(f)), ['9 indexed a information', '18 unpacked b information',
    '29 rebound c warning', '35 not_listening d warning', '44 first_of_two e warning']);
});

test('python: ssl.SSLContext(PROTOCOL_TLS_SERVER / PROTOCOL_TLS_CLIENT) practically never raises; other protocols may', async () => {
  const text = lines(
    'import socket',
    'import ssl',
    'from ssl import PROTOCOL_TLS_CLIENT',
    '',
    'def server():',
    '    s = socket.socket()',
    '    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)',
    '    return s, ctx',
    '',
    'def client():',
    '    s = socket.socket()',
    '    ctx = ssl.SSLContext(protocol=PROTOCOL_TLS_CLIENT)',
    '    return s, ctx',
    '',
    'def old():',
    '    s = socket.socket()',
    '    ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)',
    '    return s, ctx',
    '',
    'def deprecated():',
    '    s = socket.socket()',
    '    ctx = ssl.SSLContext()',
    '    return s, ctx',
    '',
    'def given(proto):',
    '    s = socket.socket()',
    '    ctx = ssl.SSLContext(proto)',
    '    return s, ctx',
  );
  assert.deepEqual(await findings(text), ['7 server s information', '12 client s information', '17 old s warning',
    '22 deprecated s warning', '27 given s warning']);
});
