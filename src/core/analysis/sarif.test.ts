import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { relativeUri, toSarif } from './sarif';
import type { Finding } from './types';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'sockscope.leak', language: 'c', function: 'send_message', variable: 'sockfd',
    range: { start: { line: 37, column: 8 }, end: { line: 37, column: 21 } },
    acquired: { start: { line: 28, column: 13 }, end: { line: 28, column: 45 } },
    message: 'sockfd is not closed on this path', fixes: [], ...over,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

test('toSarif: 2.1.0 header, driver with both rules, one warning result per finding', () => {
  const base = path.resolve('/repo');
  const log = toSarif([{ file: path.join(base, 'src', 'net.c'), findings: [finding(), finding({ ruleId: 'sockscope.overwrite' })] }], { baseDir: base }) as Json;
  assert.equal(log.version, '2.1.0');
  assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  const run = log.runs[0];
  const driver = run.tool.driver;
  assert.equal(driver.name, 'SockScope');
  assert.match(driver.informationUri, /^https:\/\//);
  for (const rule of driver.rules) {
    assert.ok(rule.shortDescription.text.length > 0);
    assert.match(rule.helpUri, /^https:\/\//);
  }
  assert.deepEqual(run.results.map((r: Json) => [r.ruleId, driver.rules[r.ruleIndex].id, r.level]),
    [['sockscope.leak', 'sockscope.leak', 'warning'], ['sockscope.overwrite', 'sockscope.overwrite', 'warning']]);
  assert.equal(run.columnKind, 'utf16CodeUnits');
  assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri.endsWith('/'), true);
});

test('toSarif: 1-based regions with exclusive end column, relative URI, acquisition as related location', () => {
  const log = toSarif([{ file: 'src/net.c', findings: [finding()] }], { baseDir: process.cwd() }) as Json;
  const result = log.runs[0].results[0];
  const loc = result.locations[0].physicalLocation;
  assert.deepEqual(loc.artifactLocation, { uri: 'src/net.c', uriBaseId: '%SRCROOT%' });
  assert.deepEqual(loc.region, { startLine: 38, startColumn: 9, endLine: 38, endColumn: 22 });
  assert.equal(result.relatedLocations[0].id, 1);
  assert.deepEqual(result.relatedLocations[0].physicalLocation.region, { startLine: 29, startColumn: 14, endLine: 29, endColumn: 46 });
  assert.match(result.message.text, /sockfd is not closed.*\[here\]\(1\)/);
});

test('toSarif: extra related locations keep their own ids and messages', () => {
  const related = [{ range: { start: { line: 40, column: 4 }, end: { line: 40, column: 9 } }, message: 'path taken when connect fails' }];
  const log = toSarif([{ file: 'a.c', findings: [finding({ related })] }], { baseDir: process.cwd() }) as Json;
  const rel = log.runs[0].results[0].relatedLocations;
  assert.deepEqual(rel.map((r: Json) => [r.id, r.message.text]), [[1, '`sockfd` acquired here'], [2, 'path taken when connect fails']]);
});

test('relativeUri: forward slashes and percent-encoding, relative to the base folder', () => {
  const base = path.resolve('/work/repo');
  assert.equal(relativeUri(path.join(base, 'src', 'my file#1.c'), base), 'src/my%20file%231.c');
  assert.equal(relativeUri('lib/x.c', base), 'lib/x.c');
});

test('toSarif: no files gives an empty result list, still a complete run', () => {
  const log = toSarif([]) as Json;
  assert.deepEqual(log.runs[0].results, []);
  assert.equal(log.runs[0].tool.driver.rules.length, 2);
});
