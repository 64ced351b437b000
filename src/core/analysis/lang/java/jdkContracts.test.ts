/**
 * java-prec7 (issue 13; sockslib, subethasmtp census): JDK calls whose contract leaves them practically nothing
 * to fail on, by the receiver's declared type: a leak only through one of them is pedantic (information), and the
 * next call that may really fail is reported instead. The same names on other types stay warnings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaRows } from '../../testing/javaKit';

const cls = (...body: string[]) => ['import java.io.*;', 'import java.net.*;', 'import java.util.*;', 'import java.util.concurrent.*;', 'import java.security.*;', 'class T {', ...body, '}'].join('\n');
const rows = javaRows;

// The socket is kept in a field at the end: its only leaks are exceptions between the acquisition and the store.
const between = (decls: string, call: string, params = '') => cls(
  `  Semaphore permits; Socket kept;`,
  `  void run(ServerSocket ss${params}) throws Exception {`,
  `    ${decls}`,
  '    Socket socket = ss.accept();',
  `    ${call};`,
  '    this.kept = socket;',
  '  }',
);

test('java: ByteArrayOutputStream, Semaphore.release, a required MessageDigest and new Date() practically never throw', async () => {
  assert.deepEqual(await rows(between('ByteArrayOutputStream bytes = new ByteArrayOutputStream();', 'byte[] b = bytes.toByteArray()')), ['11 run socket information']);
  assert.deepEqual(await rows(between('', 'permits.release()')), ['11 run socket information']);
  assert.deepEqual(await rows(between('', 'this.permits.release(2)')), ['11 run socket information']);
  assert.deepEqual(await rows(between('', 'MessageDigest md = MessageDigest.getInstance("MD5")')), ['11 run socket information']);
  assert.deepEqual(await rows(between('', 'MessageDigest md = MessageDigest.getInstance("SHA-256")')), ['11 run socket information']);
  // `new Date()` is not an exception origin at all: nothing leaks.
  assert.deepEqual(await rows(between('', 'String now = new Date().toString()')), []);
  assert.deepEqual(await rows(between('long t = 0L;', 'String now = new Date(t).toString()')), []);
});

test('java: the same names elsewhere may fail and stay warnings', async () => {
  // A `release()` or `toByteArray()` of a type the JDK contract does not cover.
  assert.deepEqual(await rows(between('Pool pool = new Pool();', 'pool.release()')), ['11 run socket warning']);
  assert.deepEqual(await rows(between('Blob blob = new Blob();', 'byte[] b = blob.toByteArray()')), ['11 run socket warning']);
  // An algorithm no platform must have, or one named by a variable.
  assert.deepEqual(await rows(between('', 'MessageDigest md = MessageDigest.getInstance("WHIRLPOOL")')), ['11 run socket warning']);
  assert.deepEqual(await rows(between('', 'MessageDigest md = MessageDigest.getInstance(alg)', ', String alg')), ['11 run socket warning']);
  // `new Date(String)` parses.
  assert.deepEqual(await rows(between('', 'String d = new Date(text).toString()', ', String text')), ['11 run socket warning']);
});
