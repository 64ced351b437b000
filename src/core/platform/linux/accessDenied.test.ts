import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessDeniedReason } from './accessDenied';
import { parseIds } from './procFiles';

test('accessDeniedReason names what is wrong: another user, other groups, not dumpable, or something else', () => {
  const me = { readerUid: 1000, readerGid: 1000 };
  const mine = { uids: [1000, 1000, 1000, 1000], gids: [1000, 1000, 1000, 1000] };
  assert.match(accessDeniedReason({ ...me, uids: [0, 0, 0, 0], gids: [0, 0, 0, 0] }), /root or as the same user/);
  assert.match(accessDeniedReason({ ...me, uids: [1000, 0, 0, 1000], gids: mine.gids }), /root or as the same user/); // a setuid program
  assert.match(accessDeniedReason({ ...me, uids: mine.uids, gids: [1000, 50, 50, 50] }), /group ids 1000\/50\/50 .* not your 1000/);
  assert.match(accessDeniedReason({ ...me, ...mine, fdDirOwner: 0 }), /not dumpable \(it called prctl\(PR_SET_DUMPABLE, 0\)/);
  assert.match(accessDeniedReason({ ...me, ...mine, fdDirOwner: 1000 }), /security module/);
  assert.match(accessDeniedReason({ readerUid: 0, readerGid: 0, ...mine }), /refuses even root/);
  assert.match(accessDeniedReason({ ...me }), /root or as the same user/); // status unreadable: nothing better to say
});

test('parseIds reads the four user and group ids of /proc/<pid>/status', () => {
  assert.deepEqual(parseIds('Name:\tx\nUid:\t1000\t1001\t1002\t1003\nGid:\t5\t6\t7\t8\n'), { uids: [1000, 1001, 1002, 1003], gids: [5, 6, 7, 8] });
  assert.equal(parseIds('Uid:\t1\t2\t3\t4\n'), undefined);
  assert.equal(parseIds('Uid:\t1\t2\nGid:\t1\t2\t3\t4\n'), undefined);
});
