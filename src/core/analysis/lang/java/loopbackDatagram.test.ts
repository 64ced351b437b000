/**
 * sockslib UDPTimeServer.shutdown (java-prec9, issue 13): a datagram of bounded size sent from an unconnected
 * DatagramSocket the function made to a loopback address practically never fails: it is no likely exception origin
 * (no warning at it, 12); the leak where the socket goes out of scope unclosed (13) stays a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaRows } from '../../testing/javaKit';

const shutdown = (packet: string, extra = '') => ['import java.io.*;', 'import java.net.*;', 'class T {',
  '  int port;',
  '  void shutdown(String text, InetAddress host) {',
  '    try {',
  '      DatagramSocket clientSocket = new DatagramSocket();',
  '      String signal = "shutdown";',
  '      byte[] sendBuffer = signal.getBytes();',
  `      DatagramPacket packet = ${packet};`,
  `      ${extra}`,
  '      clientSocket.send(packet);', // 12
  '    } catch (IOException e) {', // 13: the socket goes out of scope unclosed
  '      e.printStackTrace();',
  '    }',
  '  }',
  '}'].join('\n');

test('java: send() of a short datagram to a loopback address from an unconnected socket is not a likely origin', async () => {
  assert.deepEqual(await javaRows(shutdown('new DatagramPacket(sendBuffer, sendBuffer.length, new InetSocketAddress("localhost", port))')),
    ['13 shutdown clientSocket warning']);
  assert.deepEqual(await javaRows(shutdown('new DatagramPacket(sendBuffer, 8, InetAddress.getLoopbackAddress(), port)')),
    ['13 shutdown clientSocket warning']);
});

test('java: send() to another host or of an unbounded datagram stays a likely origin', async () => {
  const warn = ['12 shutdown clientSocket warning', '13 shutdown clientSocket warning'];
  assert.deepEqual(await javaRows(shutdown('new DatagramPacket(sendBuffer, sendBuffer.length, new InetSocketAddress("example.org", port))')), warn);
  assert.deepEqual(await javaRows(shutdown('new DatagramPacket(sendBuffer, sendBuffer.length, host, port)')), warn);
  assert.deepEqual(await javaRows(shutdown('new DatagramPacket(sendBuffer, sendBuffer.length, new InetSocketAddress("localhost", port))')
    .replace('signal.getBytes()', 'text.getBytes()')), warn);
});
