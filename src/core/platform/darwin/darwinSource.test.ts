import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { countTcpStates } from '../../model';
import { SourceError } from '../source';
import { execFileRunner } from '../commandRunner';
import { DarwinSocketSource } from './darwinSource';
import { FakeRunner, readFixture } from './testSupport';

const PS_SNAPSHOT = ['ps', '-p', '4242', '-o', 'pid=,user=,comm=,args='];
const LSOF_SNAPSHOT = ['/opt/lsof', '-nP', '-p', '4242', '-Tqs', '-F', 'pcfdnPtTs'];
const LAUNCHCTL = ['launchctl', 'limit', 'maxfiles'];

function source(runner: FakeRunner): DarwinSocketSource {
  return new DarwinSocketSource(runner, { lsofPath: '/opt/lsof', now: () => 1234 });
}

function toolMissing(file: string): SourceError {
  return new SourceError('TOOL_MISSING', `${file} not found: install it or set its path in the SockScope settings.`);
}

test('snapshot: ps + lsof + launchctl, argv arrays as expected', async () => {
  const runner = new FakeRunner()
    .on(PS_SNAPSHOT, { stdout: ' 4242 dev              node             node server.js --port 8080\n' })
    .on(LSOF_SNAPSHOT, { stdout: readFixture('darwin', 'lsof-server.txt') })
    .on(LAUNCHCTL, { stdout: readFixture('darwin', 'launchctl-maxfiles.txt') });
  const snap = await source(runner).snapshot(4242);
  assert.deepEqual([...runner.calls].sort(), [LAUNCHCTL, LSOF_SNAPSHOT, PS_SNAPSHOT].sort());
  assert.equal(snap.takenAt, 1234);
  assert.deepEqual(snap.process, {
    pid: 4242, name: 'node', cmdline: 'node server.js --port 8080', fdCount: 21, fdLimit: { soft: 256, hard: null },
  });
  assert.equal(snap.sockets.length, 14);
  assert.equal(countTcpStates(snap.sockets).CLOSE_WAIT, 2);
  assert.deepEqual(snap.notes, []);
});

test('snapshot: launchctl is asked once; its failure only loses the limit', async () => {
  const runner = new FakeRunner()
    .on(PS_SNAPSHOT, { stdout: ' 4242 dev node node\n' })
    .on(LSOF_SNAPSHOT, { stdout: 'p4242\ncnode\n' })
    .on(LAUNCHCTL, new Error('launchctl: boom'));
  const src = source(runner);
  const a = await src.snapshot(4242);
  await src.snapshot(4242);
  assert.equal(a.process.fdLimit, undefined);
  assert.deepEqual(a.sockets, []);
  assert.equal(runner.calls.filter((c) => c[0] === 'launchctl').length, 1);
});

test('snapshot: missing lsof is TOOL_MISSING with advice', async () => {
  const runner = new FakeRunner()
    .on(PS_SNAPSHOT, { stdout: ' 4242 dev node node\n' })
    .on(LSOF_SNAPSHOT, toolMissing('/opt/lsof'))
    .on(LAUNCHCTL, { stdout: '' });
  await assert.rejects(source(runner).snapshot(4242), (e: unknown) => e instanceof SourceError && e.code === 'TOOL_MISSING'
    && e.message === 'lsof not found: install it or set sockscope.tools.lsofPath.');
  const counting = new FakeRunner().on(['/opt/lsof', '-nP', '-p', '4242', '-F', 'pfdnPt'], toolMissing('/opt/lsof'));
  await assert.rejects(source(counting).socketCount(4242), (e: unknown) => e instanceof SourceError && e.code === 'TOOL_MISSING');
});

test('snapshot: lsof exit 1 with ps not finding the pid is NO_SUCH_PROCESS; with ps finding it, PERMISSION', async () => {
  const gone = new FakeRunner()
    .on(PS_SNAPSHOT, { stdout: '', code: 1 })
    .on(LSOF_SNAPSHOT, { stdout: '', code: 1 })
    .on(LAUNCHCTL, { stdout: '' });
  await assert.rejects(source(gone).snapshot(4242), (e: unknown) => e instanceof SourceError && e.code === 'NO_SUCH_PROCESS');

  const foreign = new FakeRunner()
    .on(PS_SNAPSHOT, { stdout: ' 4242 root             /usr/sbin/sshd /usr/sbin/sshd -D\n' })
    .on(LSOF_SNAPSHOT, { stdout: '', code: 1 })
    .on(LAUNCHCTL, { stdout: '' });
  await assert.rejects(source(foreign).snapshot(4242), (e: unknown) => e instanceof SourceError && e.code === 'PERMISSION'
    && e.message.includes('sshd') && e.message.includes('root'));
});

test('snapshot: partial lsof output is used, with notes', async () => {
  const runner = new FakeRunner()
    .on(['ps', '-p', '777', '-o', 'pid=,user=,comm=,args='], { stdout: '  777 dev /opt/homebrew/bin/python3.12 python3 -m http.server 8000\n' })
    .on(['/opt/lsof', '-nP', '-p', '777', '-Tqs', '-F', 'pcfdnPtTs'], { stdout: readFixture('darwin', 'lsof-truncated.txt'), code: 1, stderr: 'lsof: WARNING: can\'t stat() nfs file system /Volumes/x\n' })
    .on(LAUNCHCTL, { stdout: '' });
  const snap = await source(runner).snapshot(777);
  assert.equal(snap.sockets.length, 2);
  assert.deepEqual(snap.notes, [
    '5 malformed lsof lines skipped',
    'lsof output ended mid-line: the list may be incomplete',
    'lsof exited with code 1: lsof: WARNING: can\'t stat() nfs file system /Volumes/x',
  ]);
  assert.equal(snap.process.name, 'python3.12');
});

test('bad pid and port are BAD_INPUT; socketCount of a bad pid is undefined', async () => {
  const src = source(new FakeRunner());
  await assert.rejects(src.snapshot(-1), (e: unknown) => e instanceof SourceError && e.code === 'BAD_INPUT');
  await assert.rejects(src.findPortOwners(0), (e: unknown) => e instanceof SourceError && e.code === 'BAD_INPUT');
  assert.equal(await src.socketCount(1.5), undefined);
});

test('socketCount counts sockets once per kernel socket; unreadable pid gives undefined', async () => {
  const argv = ['/opt/lsof', '-nP', '-p', '4242', '-F', 'pfdnPt'];
  assert.equal(await source(new FakeRunner().on(argv, { stdout: readFixture('darwin', 'lsof-server.txt') })).socketCount(4242), 14);
  assert.equal(await source(new FakeRunner().on(argv, { stdout: '', code: 1 })).socketCount(4242), undefined);
});

test('findPortOwners: TCP listeners and UDP binds, not sockets whose remote port matches', async () => {
  const runner = new FakeRunner()
    .on(['/opt/lsof', '-nP', '-iTCP:8080', '-sTCP:LISTEN', '-Ts', '-F', 'pcfPtTn'], { stdout: readFixture('darwin', 'lsof-port-tcp.txt') })
    .on(['/opt/lsof', '-nP', '-iUDP:8080', '-F', 'pcfPtn'], { stdout: readFixture('darwin', 'lsof-port-udp.txt') });
  assert.deepEqual(await source(runner).findPortOwners(8080), [
    { pid: 312, name: 'mDNSResponder', protocol: 'udp', port: 8080, state: 'CLOSE' },
    { pid: 4242, name: 'node', protocol: 'tcp', port: 8080, state: 'LISTEN' },
    { pid: 4242, name: 'node', protocol: 'tcp6', port: 8080, state: 'LISTEN' },
    { pid: 5001, name: 'nginx', protocol: 'tcp', port: 8080, state: 'LISTEN' },
  ]);
  const none = new FakeRunner()
    .on(['/opt/lsof', '-nP', '-iTCP:9', '-sTCP:LISTEN', '-Ts', '-F', 'pcfPtTn'], { stdout: '', code: 1 })
    .on(['/opt/lsof', '-nP', '-iUDP:9', '-F', 'pcfPtn'], { stdout: '', code: 1 });
  assert.deepEqual(await source(none).findPortOwners(9), []);
});

test('listProcesses parses ps -axo', async () => {
  const runner = new FakeRunner().on(['ps', '-axo', 'pid=,user=,comm=,args='], { stdout: readFixture('darwin', 'ps-axo.txt') });
  const list = await source(runner).listProcesses();
  assert.equal(list.length, 7);
  assert.equal(list.find((p) => p.pid === 501)?.name, 'Google Chrome');
});

function hasLsof(): boolean {
  try { execFileSync('lsof', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; }
}

// End to end against the real lsof and ps (lsof's field output is the same on Linux): a child process
// holds a listener and a connection its peer has closed (CLOSE_WAIT).
test('real lsof: a child with a listener and a CLOSE_WAIT socket', { skip: !hasLsof() && 'lsof is not installed' }, async () => {
  const script = `
    const net = require('net');
    const held = [];
    const server = net.createServer({ allowHalfOpen: true }, (s) => { held.push(s); s.on('end', () => process.stdout.write('closed\\n')); });
    server.listen(0, '127.0.0.1', () => {
      process.stdout.write('port ' + server.address().port + '\\n');
      const c = net.connect(server.address().port, '127.0.0.1', () => c.end(() => c.destroy()));
    });
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += String(d);
        const m = /port (\d+)\n[\s\S]*closed\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error('child exited early')));
    });
    const src = new DarwinSocketSource(execFileRunner, { lsofPath: 'lsof', launchctlPath: 'launchctl-not-here' });
    const snap = await src.snapshot(child.pid ?? 0);
    const listener = snap.sockets.find((s) => s.state === 'LISTEN' && s.local.port === port);
    assert.ok(listener, `listener on ${port} in ${JSON.stringify(snap.sockets)}`);
    assert.equal(listener.protocol, 'tcp');
    assert.equal(snap.sockets.filter((s) => s.state === 'CLOSE_WAIT' && s.local.port === port).length, 1);
    assert.ok((snap.process.fdCount ?? 0) >= 3);
    assert.equal(await src.socketCount(child.pid ?? 0), snap.sockets.length);
    const owners = await src.findPortOwners(port);
    assert.deepEqual(owners.map((o) => [o.pid, o.protocol, o.state]), [[child.pid, 'tcp', 'LISTEN']]);
  } finally {
    child.kill();
  }
});

test('real ps: a pid that does not exist is NO_SUCH_PROCESS', { skip: !hasLsof() && 'lsof is not installed' }, async () => {
  const src = new DarwinSocketSource(execFileRunner, { lsofPath: 'lsof', launchctlPath: 'launchctl-not-here' });
  // Above the default pid_max (4194304 on 64-bit Linux, 99999 on macOS): never a live process.
  await assert.rejects(src.snapshot(2_000_000_000), (e: unknown) => e instanceof SourceError && e.code === 'NO_SUCH_PROCESS');
});
