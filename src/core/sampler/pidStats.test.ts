import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PidusageStats } from './pidStats';

test('PidusageStats reads this process; a missing pid gives undefined, not an exception', async () => {
  const stats = new PidusageStats();
  const own = await stats.sample(process.pid);
  assert.ok(own);
  assert.ok(own.memory > 1024 * 1024, `rss ${own.memory}`);
  assert.ok(Number.isFinite(own.cpu) && own.cpu >= 0);
  assert.equal(await stats.sample(4_194_305), undefined);
  stats.dispose();
});
