import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTcpStates } from '../../model';
import { SourceError } from '../source';
import { FakeRunner, readFixture } from '../darwin/testSupport';
import { powershellScript, WindowsSocketSource } from './windowsSource';

const PS = (pid: number) => ['pwsh', '-NoProfile', '-NonInteractive', '-Command', powershellScript(pid)];
const NETSTAT = ['netstat', '-ano'];
const TASKLIST_ONE = (pid: number) => ['tasklist', '/fi', `PID eq ${pid}`, '/fo', 'csv', '/nh'];
const TASKLIST_ALL = ['tasklist', '/fo', 'csv', '/nh'];

function source(runner: FakeRunner): WindowsSocketSource {
  return new WindowsSocketSource(runner, { netstatPath: 'netstat', powershellPath: 'pwsh', now: () => 99 });
}
function missing(file: string): SourceError {
  return new SourceError('TOOL_MISSING', `${file} not found: install it or set its path in the SockScope settings.`);
}
const isCode = (code: string) => (e: unknown) => e instanceof SourceError && e.code === code;

test('the PowerShell script only interpolates the integer pid', () => {
  const s = powershellScript(4321);
  assert.match(s, /Get-NetTCPConnection -OwningProcess 4321 \|/);
  assert.match(s, /Get-NetUDPEndpoint -OwningProcess 4321 \|/);
  assert.match(s, /-Filter 'ProcessId=4321'/);
  assert.match(s, /ConvertTo-Json -Depth 3 -Compress$/);
  // Windows argv quoting mangles double quotes on their way to PowerShell: the script has none.
  assert.equal(s.includes('"'), false);
});

test('snapshot prefers PowerShell: one call, process info, handle count, notes', async () => {
  const runner = new FakeRunner().on(PS(4321), { stdout: readFixture('win32', 'sockscope-powershell.json') });
  const snap = await source(runner).snapshot(4321);
  assert.deepEqual(runner.calls, [PS(4321)]);
  assert.deepEqual(snap.process, {
    pid: 4321, name: 'server.exe', cmdline: '"C:\\Apps\\server.exe" --port 5000', fdCount: 412, fdLimit: undefined,
  });
  assert.equal(snap.takenAt, 99);
  assert.deepEqual(countTcpStates(snap.sockets), { LISTEN: 1, CLOSE_WAIT: 2, FIN_WAIT_2: 1 });
  assert.equal(snap.sockets.length, 5);
  assert.ok(snap.sockets.every((s) => s.fd === undefined));
  assert.equal(snap.notes[0], 'sockets from PowerShell (Get-NetTCPConnection, Get-NetUDPEndpoint)');
});

test('snapshot falls back to netstat + tasklist when PowerShell is missing, and stops asking it', async () => {
  const runner = new FakeRunner()
    .on(PS(4321), missing('pwsh'))
    .on(NETSTAT, { stdout: readFixture('win32', 'netstat-ano-en.txt') })
    .on(TASKLIST_ONE(4321), { stdout: '"server.exe","4321","Console","1","58,912 K"\r\n' });
  const src = source(runner);
  const snap = await src.snapshot(4321);
  assert.deepEqual(snap.notes, ['sockets from netstat -ano (PowerShell not found (pwsh))']);
  assert.deepEqual(snap.process, { pid: 4321, name: 'server.exe', cmdline: 'server.exe', fdCount: undefined, fdLimit: undefined });
  assert.equal(countTcpStates(snap.sockets).CLOSE_WAIT, 3);
  await src.snapshot(4321);
  assert.equal(runner.calls.filter((c) => c[0] === 'pwsh').length, 1);
});

test('snapshot falls back when PowerShell fails or is too old, with the reason in the notes', async () => {
  const cases: [object, string][] = [
    [{ stdout: '', stderr: 'boom', code: 1 }, 'PowerShell exited with code 1'],
    [{ stdout: 'Get-CimInstance : Access denied' }, 'PowerShell printed no readable JSON'],
    [{ stdout: '{"process":null,"tcpAvailable":false,"tcp":[],"udp":[]}' }, 'Get-NetTCPConnection is not available on this Windows version'],
  ];
  for (const [answer, reason] of cases) {
    const runner = new FakeRunner()
      .on(PS(4321), answer)
      .on(NETSTAT, { stdout: readFixture('win32', 'netstat-ano-de.txt') })
      .on(TASKLIST_ONE(4321), { stdout: readFixture('win32', 'tasklist-de.csv') });
    const snap = await source(runner).snapshot(4321);
    assert.deepEqual(snap.notes, [`sockets from netstat -ano (${reason})`, '1 malformed netstat line skipped']);
    assert.equal(snap.sockets.length, 8);
  }
});

test('NO_SUCH_PROCESS: PowerShell finds no process and tasklist prints its localized message', async () => {
  const runner = new FakeRunner()
    .on(PS(777), { stdout: '{"process":null,"tcpAvailable":true,"tcp":[],"udp":[]}' })
    .on(NETSTAT, { stdout: readFixture('win32', 'netstat-ano-en.txt') })
    .on(TASKLIST_ONE(777), { stdout: readFixture('win32', 'tasklist-none.txt') });
  await assert.rejects(source(runner).snapshot(777), isCode('NO_SUCH_PROCESS'));
});

test('TOOL_MISSING: neither PowerShell nor netstat', async () => {
  const runner = new FakeRunner()
    .on(PS(4321), missing('pwsh'))
    .on(NETSTAT, missing('netstat'))
    .on(TASKLIST_ONE(4321), { stdout: '"server.exe","4321","Console","1","1 K"\r\n' });
  await assert.rejects(source(runner).snapshot(4321), (e: unknown) => isCode('TOOL_MISSING')(e) && (e as Error).message.startsWith('netstat not found'));
  await assert.rejects(source(runner).socketCount(4321), isCode('TOOL_MISSING'));
});

test('socketCount: concurrent callers share one netstat run', async () => {
  const runner = new FakeRunner().on(NETSTAT, { stdout: readFixture('win32', 'netstat-ano-en.txt') });
  const src = source(runner);
  const counts = await Promise.all([4321, 1052, 2100, 31337].map((pid) => src.socketCount(pid)));
  assert.deepEqual(counts, [13, 2, 2, 0]); // 11 TCP + 2 UDP rows of pid 4321
  assert.deepEqual(runner.calls, [NETSTAT]);
  await src.socketCount(4321);
  assert.equal(runner.calls.length, 2, 'a later call runs netstat again');
  assert.equal(await source(new FakeRunner().on(NETSTAT, { stdout: '', code: 1 })).socketCount(4321), undefined);
});

test('findPortOwners: listeners and UDP binds with names from tasklist', async () => {
  const runner = new FakeRunner()
    .on(NETSTAT, { stdout: readFixture('win32', 'netstat-ano-en.txt') })
    .on(TASKLIST_ALL, { stdout: readFixture('win32', 'tasklist-en.csv') });
  assert.deepEqual(await source(runner).findPortOwners(5000), [
    { pid: 4321, name: 'server.exe', protocol: 'tcp', port: 5000, state: 'LISTEN' },
    { pid: 4321, name: 'server.exe', protocol: 'tcp6', port: 5000, state: 'LISTEN' },
    { pid: 4321, name: 'server.exe', protocol: 'udp', port: 5000, state: 'CLOSE' },
    { pid: 4321, name: 'server.exe', protocol: 'udp6', port: 5000, state: 'CLOSE' },
  ]);
  assert.deepEqual((await source(runner).findPortOwners(5353)).map((o) => [o.pid, o.name, o.protocol]), [
    [2100, 'mDNSResponder.exe', 'udp'], [2100, 'mDNSResponder.exe', 'udp6'],
  ]);
  await assert.rejects(source(runner).findPortOwners(70000), isCode('BAD_INPUT'));
});

test('listProcesses: tasklist rows without the idle process', async () => {
  const runner = new FakeRunner().on(TASKLIST_ALL, { stdout: readFixture('win32', 'tasklist-en.csv') });
  const list = await source(runner).listProcesses();
  assert.deepEqual(list.map((p) => p.pid), [4, 1052, 2100, 4321, 9000]);
  assert.deepEqual(list[3], { pid: 4321, name: 'server.exe', cmdline: 'server.exe' });
});
