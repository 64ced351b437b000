/**
 * java-prec7 (issue 13; pircbotx, subethasmtp census): Lombok's `@Cleanup` closes a local at the end of its scope,
 * and a TLS socket layered over a socket another object owns (`createSocket(s, host, port, autoClose)`) opens no
 * descriptor of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaRows } from '../../testing/javaKit';

const file = (imports: string[], ...body: string[]) => [...imports, 'import java.io.*;', 'import java.net.*;', 'import javax.net.ssl.*;', 'class T {', ...body, '}'].join('\n');
const rows = javaRows;

const replay = (annotation: string) => [
  '  static void replay(File file) throws Exception {',
  `    ${annotation} FileInputStream in = new FileInputStream(file);`,
  '    parse(in, file.getCanonicalPath());',
  '    if (file.length() == 0) return;',
  '    parse(in, "again");',
  '  }',
];

test('java: a local under Lombok @Cleanup is closed on every exit of its scope', async () => {
  assert.deepEqual(await rows(file(['import lombok.Cleanup;'], ...replay('@Cleanup'))), []);
  assert.deepEqual(await rows(file(['import lombok.*;'], ...replay('@Cleanup'))), []);
  assert.deepEqual(await rows(file([], ...replay('@lombok.Cleanup'))), []);
  assert.deepEqual(await rows(file(['import lombok.Cleanup;'], ...replay('@Cleanup("close")'))), []);
});

test('java: without Lombok, or with another cleanup method, the local still leaks', async () => {
  // The exception out of the first parse() (8), the return (9) and the end (11).
  const leaks = ['8 replay in warning', '9 replay in warning', '11 replay in warning'];
  // A project annotation of the same name that Lombok does not process.
  assert.deepEqual(await rows(file(['import my.annotations.Cleanup;'], ...replay('@Cleanup'))), leaks);
  // `@Cleanup("dispose")` calls dispose(), not close().
  assert.deepEqual(await rows(file(['import lombok.Cleanup;'], ...replay('@Cleanup("dispose")'))), leaks);
});

const layered = (over: string, autoClose: string, params = '') => file([],
  '  Bot bot;',
  `  void upgrade(SSLSocketFactory f, String host${params}) throws IOException {`,
  `    SSLSocket tls = (SSLSocket) f.createSocket(${over}, host, 6697, ${autoClose});`,
  '    tls.startHandshake();',
  '    bot.changeSocket(tls);',
  '  }',
);

test('java: a TLS layer over a socket another object owns holds no descriptor of its own', async () => {
  assert.deepEqual(await rows(layered('bot.getSocket()', 'true')), []);
  assert.deepEqual(await rows(layered('this.socket', 'true')), []);
  assert.deepEqual(await rows(layered('bot.getSocket()', 'false')), []);
});

test('java: a TLS layer that owns a socket of the function (autoClose true) is still a resource', async () => {
  assert.deepEqual(await rows(layered('plain', 'true').replace('    SSLSocket tls', '    Socket plain = new Socket(host, 6667);\n    SSLSocket tls')), [
    '8 upgrade plain warning', '9 upgrade tls warning', '11 upgrade tls warning',
  ]);
});
