import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinCandidates } from './candidates';

test('several candidates: released when all release, handed on when all consume, else nothing', () => {
  const closes = { releases: [true, false, true], escapes: [false, false, false] };
  const keeps = { releases: [true, false, false], escapes: [false, false, true] };
  assert.deepEqual(joinCandidates([closes, keeps]), { releases: [true, false, false], escapes: [false, false, true] });
  // One that closes the third parameter only on some paths: handed on, not released.
  const sometimes = { releases: [false, false, false], escapes: [false, false, false], releasesSometimes: [false, false, true] };
  assert.deepEqual(joinCandidates([closes, sometimes]), { releases: [false, false, false], escapes: [false, false, true] });
  // A candidate with fewer parameters consumes none of the others.
  assert.deepEqual(joinCandidates([closes, { releases: [true], escapes: [false] }]), { releases: [true, false, false], escapes: [false, false, false] });
});
