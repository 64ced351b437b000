/**
 * subethasmtp StartTLSCommand (java-prec9, issue 13): `SSLSocket s = server.createSSLSocket(socket)` over a socket
 * another object holds (`sess.getSocket()`, a field) is a TLS layer over that socket, not a descriptor of the
 * function's own: an exception before it is stored is not a leak. Over a socket the function opened, or a factory
 * that is given no socket, its result stays the function's resource.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaRows } from '../../testing/javaKit';

const tls = (decl: string) => ['import java.io.*;', 'import java.net.*;', 'import javax.net.ssl.*;', 'class T {',
  '  Socket plain;',
  '  void execute(Session sess, Server server) {',
  '    try {',
  `      ${decl}`,
  '      SSLSocket s = server.createSSLSocket(socket);', // 9
  '      s.startHandshake();', // 10
  '      sess.setSocket(s);',
  '    } catch (IOException e) {',
  '      e.printStackTrace();',
  '    }',
  '  }',
  '}'].join('\n');

test('java: an SSLSocket a factory layers over a socket another object holds is not the function\'s resource', async () => {
  assert.deepEqual(await javaRows(tls('Socket socket = sess.getSocket();')), []);
  assert.deepEqual(await javaRows(tls('Socket socket = this.plain;')), []);
  assert.deepEqual(await javaRows(tls('Socket socket = plain;')), []);
});

test('java: an SSLSocket a factory makes from the function\'s own socket, or from nothing, stays a resource', async () => {
  // (The socket it opened leaks too.)
  assert.deepEqual((await javaRows(tls('Socket socket = new Socket("mail", 25);'))).filter((r) => r.includes(' s ')), ['10 execute s warning', '12 execute s warning']);
  assert.deepEqual(await javaRows(tls('Socket socket = sess.getSocket();').replace('createSSLSocket(socket)', 'createSSLSocket("mail", 25)')),
    ['10 execute s warning', '12 execute s warning']);
  assert.deepEqual(await javaRows(tls('Socket socket = sess.getSocket();').replace('Socket socket = sess', 'Object socket = sess')),
    ['10 execute s warning', '12 execute s warning']);
});
