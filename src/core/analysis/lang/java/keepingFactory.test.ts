/**
 * Static factories of another file's class that keep the stream they are given (java-prec6): nanohttpd's
 * `Response.newFixedLengthResponse(status, mime, fis, len)` returns `new Response(status, mime, fis, len)`,
 * whose constructor stores the stream in a field that `Response.close()` closes. The object returned owns
 * the stream (as one built with `new` does), so a function that returns that object hands the stream over.
 * A factory that copies what it is given, builds another class, or passes the stream to a constructor
 * that does not keep it keeps nothing: the stream stays the caller's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeSource } from '../../index';
import { JavaProject } from '../../javaProject';
import { analyzeInProject } from '../../testing/javaKit';
import { findingRows, tempRoot, withProject, writeLines } from '../../testing/projectTree';


function project(): { root: string; use: string } {
  const root = tempRoot('keeping');
  writeLines(root, 'pom.xml', ['<project/>']);
  writeLines(root, 'core/pom.xml', ['<project/>']);
  writeLines(root, 'web/pom.xml', ['<project/>']);
  writeLines(root, 'core/src/main/java/org/acme/http/Response.java', [
    'package org.acme.http;', 'import java.io.*;',
    'public class Response implements Closeable {',
    '  private InputStream data;',
    '  private byte[] copy;',
    '  protected Response(String status, InputStream data, long length) {',
    '    if (data == null) { this.data = new ByteArrayInputStream(new byte[0]); } else { this.data = data; }',
    '  }',
    '  protected Response(String status, InputStream data) { this.copy = new byte[0]; }',
    '  public static Response newFixed(String status, InputStream data, long length) { return new Response(status, data, length); }',
    '  public static Response newCopy(String status, InputStream data) { return new Response(status, data); }',
    '  public static Response newOther(String status, InputStream data) { return new Response(status, null, 0); }',
    '  public static String describe(InputStream data) { return "x"; }',
    '  public void addHeader(String k, String v) { }',
    '  public void close() throws IOException { if (this.data != null) { this.data.close(); } }',
    '}',
  ]);
  const use = writeLines(root, 'web/src/main/java/org/acme/web/Server.java', [
    'package org.acme.web;', 'import java.io.*;', 'import org.acme.http.Response;',
    'public class Server {',
    '  Response kept(File f) throws IOException {',
    '    FileInputStream fis = new FileInputStream(f);',
    '    Response res = Response.newFixed("200", fis, f.length());',
    '    res.addHeader("a", "b");',
    '    return res;',
    '  }',
    '  Response copied(File f) throws IOException {',
    '    FileInputStream fis = new FileInputStream(f);',
    '    Response res = Response.newCopy("200", fis);',
    '    return res;',
    '  }',
    '  Response other(File f) throws IOException {',
    '    FileInputStream fis = new FileInputStream(f);',
    '    Response res = Response.newOther("200", fis);',
    '    return res;',
    '  }',
    '}',
  ]);
  return { root, use };
}

test('java project: a static factory returning new C(…) on a stream the constructor keeps (and close() closes) takes it over', async () => {
  await withProject(project, async ({ root, use }) => {
    const classes = await new JavaProject().resourceClasses(use);
    assert.deepEqual([...classes], [['Response', { closeable: true, subclass: false, keeps: new Map([['newFixed/3', { params: [1], uncheckedOnly: true }]]) }]]);
    const text = fs.readFileSync(use, 'utf8');
    const res = await analyzeInProject(use, text);
    // kept(): handed over to the returned Response; only an exception from the factory leaks it, and neither
    // the factory nor the constructor declares or throws one (information). copied() and other(): the
    // factory keeps nothing, and the stream is still open at the return.
    assert.deepEqual(findingRows(res), ['7 kept fis information', '13 copied fis warning', '14 copied fis warning', '18 other fis warning', '19 other fis warning']);
    // A factory that declares `throws IOException` may let one out: a warning there, but still no leak at the return.
    const response = path.join(root, 'core/src/main/java/org/acme/http/Response.java');
    fs.writeFileSync(response, fs.readFileSync(response, 'utf8').replace('InputStream data, long length) { return', 'InputStream data, long length) throws IOException { return'));
    assert.deepEqual(findingRows(await analyzeInProject(use, text)).filter((r) => r.includes(' kept ')), ['7 kept fis warning']);
    // Without the project's other files, the factory is unknown and the stream is taken to stay the caller's.
    const alone = await analyzeSource(text, 'java', {});
    assert.ok(alone.findings.some((f) => f.function === 'kept' && f.range.start.line + 1 === 9));
  });
});
