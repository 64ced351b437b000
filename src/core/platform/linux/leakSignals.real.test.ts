// The leak heuristics on real sockets, read by the Linux source: no false alarm for a half-closed
// connection that keeps sending, a slow reader that keeps reading, or a peer's unread FIN; a UNIX
// reader that stops reading is caught; TIME_WAIT sockets (which no fd holds) can raise their warning.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { HeuristicsConfig, LeakWarning } from '../../sampler/heuristics';
import { DEFAULT_HEURISTICS, analyzeHistory } from '../../sampler/heuristics';
import { History } from '../../sampler/history';
import { readEphemeralPortRange } from '../../sampler/portRange';
import { LinuxSocketSource } from './linuxSource';
import { Changer, repoRoot } from './testSupport';

const helperPath = path.join(repoRoot(), 'dist', 'bin', 'sockscope-netlink');
const built = fs.existsSync(helperPath);
const skip = process.platform !== 'linux' ? 'Linux only' : !built && !process.env.CI ? `${helperPath} not built (no C compiler)` : false;

const sources: LinuxSocketSource[] = [];
after(() => {
  for (const s of sources) s.dispose();
});

/** Short windows, and a single idle CLOSE_WAIT socket is enough: the test runs for seconds, not minutes. */
const QUICK: HeuristicsConfig = {
  ...DEFAULT_HEURISTICS,
  closeWait: { ...DEFAULT_HEURISTICS.closeWait, idleMs: 1200, minIdleSamples: 3, minIdleSockets: 1, minGrowth: 1, largeIdleCount: 1 },
  recvQueue: { minMs: 1200, minSamples: 3 },
};

/** Samples a process `samples` times, `everyMs` apart, and runs the heuristics over the history. */
async function watch(source: LinuxSocketSource, pid: number, samples: number, everyMs: number, config = QUICK): Promise<{ warnings: LeakWarning[]; fdOf: Map<string, number> }> {
  const history = new History();
  const fdOf = new Map<string, number>();
  for (let i = 0; i < samples; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, everyMs));
    const snap = await source.snapshot(pid);
    for (const s of snap.sockets) if (s.fd !== undefined) fdOf.set(s.inode, s.fd);
    history.push(snap);
  }
  return { warnings: analyzeHistory(history, { ephemeralPorts: await readEphemeralPortRange() }, config), fdOf };
}

const fdsOf = (w: LeakWarning | undefined, fdOf: Map<string, number>): number[] => (w?.sockets ?? []).map((i) => fdOf.get(i) ?? -1).sort((a, b) => a - b);

test('CLOSE_WAIT: a half-closed connection that keeps sending is no idle leak; an idle one is', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  try {
    const sending = await changer.do('halfclosed');
    const idle = await changer.do('finonly');
    const source = new LinuxSocketSource({ procRoot: '/proc', netlinkHelper: helperPath });
    sources.push(source);
    const { warnings, fdOf } = await watch(source, pid, 6, 400);
    assert.equal(source.reader.kind, 'netlink');
    assert.deepEqual(fdsOf(warnings.find((w) => w.id === 'close-wait-growth'), fdOf), [idle.fd]);
    assert.ok(sending.fd !== undefined);
  } finally {
    changer.stop();
  }
});

test('unread data: a slow reader that keeps reading and an unread FIN are not flagged; a TCP and a UNIX reader that stopped are', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  try {
    const slow = await changer.do('slowread');
    const fin = await changer.do('finonly');
    const stuck = await changer.do('stuckread');
    const unix = await changer.do('unixpair');
    await changer.do(`send ${unix.a} 5000`);
    const source = new LinuxSocketSource({ procRoot: '/proc', netlinkHelper: helperPath });
    sources.push(source);
    const { warnings, fdOf } = await watch(source, pid, 6, 400);
    assert.equal(source.reader.kind, 'netlink');
    assert.deepEqual(fdsOf(warnings.find((w) => w.id === 'recv-queue-stuck'), fdOf), [stuck.fd, unix.b].sort((a, b) => (a as number) - (b as number)));
    assert.ok(slow.fd !== undefined && fin.fd !== undefined);
    // Without the helper the FIN is still no data (and the UNIX queue is not known).
    const viaProc = await watch(new LinuxSocketSource({ procRoot: '/proc' }), pid, 5, 400);
    assert.ok(!fdsOf(viaProc.warnings.find((w) => w.id === 'recv-queue-stuck'), viaProc.fdOf).includes(fin.fd as number));
  } finally {
    changer.stop();
  }
});

/** A child that makes `n` short connections to a loopback port, one after the other. */
/** TIME_WAIT sockets (state 06) whose local port is `port`, read from /proc/net/tcp. */
function timeWaitOnPort(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)
    .filter((line) => { const f = line.trim().split(/\s+/); return f[3] === '06' && f[1]?.endsWith(`:${hex}`); }).length;
}

function shortConnections(port: number, n: number): Promise<void> {
  const script = `import socket\nfor _ in range(${n}):\n    s = socket.create_connection(("127.0.0.1", ${port}))\n    s.recv(1)\n    s.close()\n`;
  return new Promise((resolve, reject) => execFile('python3', ['-c', script], (e) => (e ? reject(e) : resolve())));
}

test('TIME_WAIT: the connections a server closed first count as its own, and the warning fires', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  try {
    const server = await changer.do('twserver');
    const n = 300;
    await shortConnections(server.port as number, n);
    const range = (await readEphemeralPortRange()) ?? { low: 32768, high: 60999 };
    // A warning at 1 % of the ephemeral range, so that a few hundred connections are enough.
    const config: HeuristicsConfig = { ...DEFAULT_HEURISTICS, timeWait: { ratio: 100 / (range.high - range.low + 1), releaseFactor: 0.8 } };
    for (const source of [new LinuxSocketSource({ procRoot: '/proc', netlinkHelper: helperPath }), new LinuxSocketSource({ procRoot: '/proc' })]) {
      sources.push(source);
      // The last connections may still be finishing their close handshake (FIN_WAIT_2, not yet
      // TIME_WAIT) when the client's loop ends: give the kernel up to 6 s to get there. The kernel may
      // also end one of them early: a new connection whose ephemeral port repeats one in TIME_WAIT on the
      // server takes that socket over (299 of 300 twice in loaded runs). So the count is compared with the
      // TIME_WAIT sockets on the server's port that the kernel's own table shows at the same moment.
      let snap = await source.snapshot(pid);
      let truth = timeWaitOnPort(server.port as number);
      for (let i = 0; i < 60 && (snap.timeWait?.own ?? 0) < n; i++) {
        await new Promise((r) => setTimeout(r, 100));
        snap = await source.snapshot(pid);
        truth = timeWaitOnPort(server.port as number);
      }
      assert.ok(truth >= n * 0.95, `the kernel shows ${truth} TIME_WAIT sockets on the server's port`);
      assert.ok((snap.timeWait?.own ?? 0) >= truth, `${source.reader.kind}: ${JSON.stringify(snap.timeWait)}; kernel table: ${truth}`);
      assert.ok((snap.timeWait?.netns ?? 0) >= truth);
      const { warnings } = await watch(source, pid, 2, 10, config);
      const w = warnings.find((x) => x.id === 'time-wait-pressure');
      assert.match(w?.title ?? '', /^\d+ sockets in TIME_WAIT/, `${source.reader.kind}: ${JSON.stringify(warnings)}`);
    }
  } finally {
    changer.stop();
  }
});
