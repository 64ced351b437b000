import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeTransitions, transitionLabel } from './diffSummary';
import type { Snapshot, Socket } from './index';
import { diffSnapshots } from './snapshot';
import { tcp } from './testSockets';

const snap = (sockets: readonly Socket[]): Snapshot => ({
  takenAt: 0, sockets, notes: [], process: { pid: 1, name: 'x', cmdline: 'x', fdCount: undefined, fdLimit: undefined },
});

test('summary by transition, largest first, each split by peer', () => {
  const listen = tcp('LISTEN', '127.0.0.1:8303', undefined, 3);
  const est = Array.from({ length: 4 }, (_, i) => tcp('ESTABLISHED', '127.0.0.1:8303', `127.0.0.1:${40000 + i}`));
  const outgoing = tcp('ESTABLISHED', '10.0.0.2:51000', '10.0.0.9:5432');
  const gone = tcp('ESTABLISHED', '10.0.0.2:51001', '10.0.0.9:5432');
  const before = snap([listen, ...est, outgoing, gone]);
  const nowCw = [...est.slice(0, 3), outgoing].map((s) => ({ ...s, state: 'CLOSE_WAIT' as const }));
  const opened = tcp('SYN_SENT', '10.0.0.2:51002', '10.0.0.7:80');
  const after = snap([listen, ...nowCw, est[3]!, opened]);
  const rows = summarizeTransitions(diffSnapshots(before, after), before.sockets, after.sockets);
  assert.deepEqual(rows.map((r) => [transitionLabel(r), r.count]), [
    ['ESTABLISHED → CLOSE_WAIT', 4], ['closed from ESTABLISHED', 1], ['opened in SYN_SENT', 1],
  ]);
  assert.deepEqual(rows[0]?.byPeer, [{ label: 'accepted on :8303 from 127.0.0.1', count: 3 }, { label: 'to 10.0.0.9:5432', count: 1 }]);
  assert.deepEqual(rows[1]?.byPeer, [{ label: 'to 10.0.0.9:5432', count: 1 }]);
});
