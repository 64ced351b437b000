import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coveredByCloseWaitLeak } from './coveredWarning';
import type { LeakWarning } from './heuristics';

const warning = (id: LeakWarning['id'], sockets?: string[]): LeakWarning => ({ id, severity: 'warning', title: id, detail: '', since: 0, ...(sockets ? { sockets } : {}) });

test('unread data in sockets that are all in the CLOSE_WAIT leak is covered by it', () => {
  const leak = warning('close-wait-growth', ['1', '2', '3']);
  assert.equal(coveredByCloseWaitLeak(warning('recv-queue-stuck', ['1', '3']), [leak]), true);
  assert.equal(coveredByCloseWaitLeak(warning('recv-queue-stuck', ['1', '2', '3']), [leak, warning('recv-queue-stuck', ['1', '2', '3'])]), true);
});

test('a warning with a socket outside the leak, without sockets, or the leak itself, is not covered', () => {
  const leak = warning('close-wait-growth', ['1', '2']);
  assert.equal(coveredByCloseWaitLeak(warning('recv-queue-stuck', ['1', '9']), [leak]), false, 'socket 9 is not in the leak');
  assert.equal(coveredByCloseWaitLeak(warning('fd-exhaustion'), [leak]), false, 'no sockets named');
  assert.equal(coveredByCloseWaitLeak(leak, [leak]), false, 'the leak is notified');
  assert.equal(coveredByCloseWaitLeak(warning('recv-queue-stuck', ['1']), []), false, 'no leak standing');
  assert.equal(coveredByCloseWaitLeak(warning('recv-queue-stuck', ['1']), [warning('close-wait-growth', [])]), false);
});
