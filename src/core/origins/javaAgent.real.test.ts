// The Java origins agent in real JVMs (test/fixtures/origins/ExitRecords.java): the records of sockets
// still open are written when the JVM ends, by System.exit and by the end of main, before the agent's
// writer thread would have written them; and its two ways of taking a stack (a Throwable's trace,
// StackWalker) give the same sites. Run with the `java` on PATH and every other JDK 17 or later in
// /usr/lib/jvm; skipped, saying so, where there is no JDK.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fixtureSiteLine, tempDir } from './testing/build';
import { parseOriginStream, type OriginStream } from './streamFile';
import { repoRoot } from '../platform/linux/testSupport';

const linux = process.platform === 'linux';
const has = (cmd: string, args: string[]) => linux && spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const hasJdk = has('javac', ['-version']) && has('jar', ['--version']) && has('java', ['-version']);
if (linux && !hasJdk) console.log('javaAgent: no JDK (javac, jar, java): the Java agent tests are skipped');
const skip = (!linux || !hasJdk) && 'needs Linux and a JDK (javac, jar, java)';

/** `java` on PATH, then each other JDK of /usr/lib/jvm whose release file says 17 or later (one per real path). */
function jdks(): string[] {
  const out = ['java'];
  const seen = new Set<string>();
  try {
    const onPath = execFileSync('readlink', ['-f', execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim()], { encoding: 'utf8' }).trim();
    seen.add(onPath);
  } catch { /* no readlink: every JDK below is tried */ }
  const root = '/usr/lib/jvm';
  for (const name of fs.existsSync(root) ? fs.readdirSync(root).sort() : []) {
    const java = path.join(root, name, 'bin', 'java');
    let release = '';
    try { release = fs.readFileSync(path.join(root, name, 'release'), 'utf8'); } catch { continue; }
    const major = Number(/JAVA_VERSION="(\d+)/.exec(release)?.[1]);
    if (!(major >= 17) || !fs.existsSync(java)) continue;
    const real = fs.realpathSync(java);
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(java);
  }
  return out;
}

const COUNT = 400;
const CHURN = 5000; // more than the agent's trial of the two stack methods (4,096 + 512 captures)
let work: string;
let records: string;
let agent: string;
let classes: string;

before(() => {
  if (skip) return;
  work = tempDir('sockscope-java-agent-');
  records = path.join(work, 'records');
  fs.mkdirSync(records, { mode: 0o700 });
  execFileSync(process.execPath, [path.join(repoRoot(), 'scripts', 'build-java-agent.mjs'), path.join(work, 'lib')], { stdio: 'inherit' });
  agent = path.join(work, 'lib', 'sockscope-origins.jar');
  classes = path.join(work, 'classes');
  execFileSync('javac', ['--release', '17', '-encoding', 'UTF-8', '-g', '-d', classes, path.join(repoRoot(), 'test', 'fixtures', 'origins', 'ExitRecords.java')]);
});
after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

interface Run { status: number | null; stack: string; stream: OriginStream }

function run(java: string, how: 'exit' | 'return', stack?: 'throwable' | 'walker'): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, SOCKSCOPE_ORIGINS_DIR: records };
  for (const k of ['JAVA_TOOL_OPTIONS', 'SOCKSCOPE_ORIGINS_JAVA_STACK', 'SOCKSCOPE_ORIGINS_LOG_BYTES']) delete env[k];
  if (stack) env.SOCKSCOPE_ORIGINS_JAVA_STACK = stack;
  const r = spawnSync(java, [`-javaagent:${agent}`, '-cp', classes, 'ExitRecords', how, String(COUNT), String(CHURN)], { env, encoding: 'utf8', timeout: 60000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  assert.ok(line, `${java} printed no JSON line: ${r.stderr}`);
  const { pid, stack: used } = JSON.parse(line) as { pid: number; stack: string };
  const file = path.join(records, `${pid}.stream`);
  const stream = parseOriginStream(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file);
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('sockscope-origins:')).length, 0, r.stderr);
  return { status: r.status, stack: used, stream };
}

const siteOf = (s: OriginStream, fd: number): string => {
  const site = s.live.get(fd)?.stack;
  return JSON.stringify(site === undefined ? null : s.sites.get(site));
};

/** How many live sockets each site (by its frames) has. */
function socketsBySite(s: OriginStream): Map<string, number> {
  const out = new Map<string, number>();
  for (const fd of s.live.keys()) out.set(siteOf(s, fd), (out.get(siteOf(s, fd)) ?? 0) + 1);
  return out;
}

const at = (site: string) => `ExitRecords.java:${fixtureSiteLine('ExitRecords.java', site)}`;
const innermost = (s: OriginStream): Map<string, number> => {
  const out = new Map<string, number>();
  for (const r of s.live.values()) {
    const f = r.stack === undefined ? undefined : s.sites.get(r.stack)?.[0];
    const key = f ? `${f.file}:${f.line}` : 'none';
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
};

for (const java of skip ? ['java'] : jdks()) {
  for (const how of ['exit', 'return'] as const) {
    test(`Java agent (${java}): the open sockets are recorded when the JVM ends by ${how === 'exit' ? 'System.exit' : 'the end of main'}`, { skip, timeout: 120000 }, () => {
      const r = run(java, how);
      assert.equal(r.status, how === 'exit' ? 3 : 0);
      assert.ok(r.stack === 'throwable' || r.stack === 'walker', `a stack method was chosen after ${CHURN + COUNT} sockets: ${r.stack}`);
      const third = COUNT / 3;
      // The listener and every client Socket, each at its creation line; the file channel and the pipe are
      // no sockets and have neither a record nor a site.
      assert.deepEqual(innermost(r.stream), new Map([
        [at('listener'), 1],
        [at('direct'), Math.ceil(third)],
        [at('reflected'), Math.ceil((COUNT - 1) / 3)],
        [at('lambda'), Math.floor(third)],
      ]));
      // The sockets opened and closed before: counted at their site.
      const churn = [...r.stream.sites].find(([, frames]) => `${frames[0]?.file}:${frames[0]?.line}` === at('churn'));
      assert.ok(churn, 'the DatagramSockets\' site');
      assert.deepEqual(r.stream.counts.get(churn[0]), { opens: CHURN, closes: CHURN });
      assert.equal(r.stream.sites.size, 5);
    });
  }

  test(`Java agent (${java}): a Throwable's trace and StackWalker give the same sites, frame for frame`, { skip, timeout: 120000 }, () => {
    const thrown = run(java, 'return', 'throwable');
    const walked = run(java, 'return', 'walker');
    assert.equal(thrown.stack, 'throwable');
    assert.equal(walked.stack, 'walker');
    assert.deepEqual(socketsBySite(walked.stream), socketsBySite(thrown.stream));
    assert.deepEqual([...walked.stream.sites.values()], [...thrown.stream.sites.values()]);
    // Frames through reflection and a lambda: the program's frames only, outer ones too.
    const lambda = [...thrown.stream.sites.values()].find((frames) => `${frames[0]?.file}:${frames[0]?.line}` === at('lambda'));
    assert.deepEqual(lambda?.map((f) => `${f.function} ${f.file}:${f.line}`), [
      `ExitRecords.lambda$main$0 ${at('lambda')}`,
      `ExitRecords.viaLambda ${at('lambda_caller')}`,
      `ExitRecords.main ${at('lambda')}`,
    ]);
    const reflected = [...walked.stream.sites.values()].find((frames) => `${frames[0]?.file}:${frames[0]?.line}` === at('reflected'));
    assert.deepEqual(reflected?.map((f) => `${f.function} ${f.file}:${f.line}`), [`ExitRecords.reflected ${at('reflected')}`, `ExitRecords.main ${at('invoke')}`]);
  });
}

// Bounded memory: what the agent keeps of sockets opened and closed does not grow with their number. The
// heap in use after a full GC (once the agent has written its batch), with the agent, after 6,000 and after
// 46,000 DatagramSockets opened and closed (both past the agent's trial of its stack methods): a record kept
// per closed socket, even 26 bytes, would add 1 MiB.
test('Java agent: 40,000 more sockets opened and closed leave less than 1 MiB more heap in use (after a full GC)', { skip, timeout: 180000 }, () => {
  const heapKb = (churn: number): number => {
    const env: NodeJS.ProcessEnv = { ...process.env, SOCKSCOPE_ORIGINS_DIR: records };
    for (const k of ['JAVA_TOOL_OPTIONS', 'SOCKSCOPE_ORIGINS_JAVA_STACK', 'SOCKSCOPE_ORIGINS_LOG_BYTES']) delete env[k];
    const r = spawnSync('java', [`-javaagent:${agent}`, '-XX:+UseSerialGC', '-cp', classes, 'ExitRecords', 'return', '0', String(churn), 'heap'],
      { env, encoding: 'utf8', timeout: 150000 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    assert.ok(line, `no JSON line: ${r.stderr}`);
    const { pid, heapKb: kb } = JSON.parse(line) as { pid: number; heapKb: number };
    const stream = parseOriginStream(fs.readFileSync(path.join(records, `${pid}.stream`), 'utf8'));
    assert.equal([...stream.counts.values()].reduce((a, c) => a + c.opens, 0), churn + 1, 'every socket was recorded (and the listener)');
    assert.ok(kb > 0);
    return kb;
  };
  // The heap in use after a full GC varies between runs of the same program by whole MiB now and then
  // (seen: 2,941 to 5,049 kB for one churn count), never downwards of what is really kept: what the agent
  // keeps per socket would be there in every run, so the least of up to three runs of each count is compared.
  let fewer = Infinity;
  let more = Infinity;
  for (let run = 0; run < 3 && !(more - fewer < 1024); run++) {
    fewer = Math.min(fewer, heapKb(6000));
    more = Math.min(more, heapKb(46000));
  }
  assert.ok(more - fewer < 1024, `40,000 more sockets: ${more - fewer} kB more heap in use (${fewer} kB → ${more} kB, least of three runs each)`);
});
