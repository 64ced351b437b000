#!/usr/bin/env node
// `npm run bench`: builds once, then runs every benchmark in turn (each prints ratios against a peer
// tool measured in the same run). Exit code: the first
// failing benchmark's, else 0.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const run = (script, args = []) => spawnSync(process.execPath, [path.join(root, 'scripts', script), ...args], { cwd: root, stdio: 'inherit' }).status ?? 1;

let status = run('build.mjs');
for (const bench of ['bench-snapshot.mjs', 'bench-analysis.mjs', 'bench-sampling.mjs']) {
  if (status !== 0) break;
  console.log(`\n===== ${bench} =====`);
  status = run(bench);
}
process.exit(status);
