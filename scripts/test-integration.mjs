#!/usr/bin/env node
// `npm run test:integration`: run test/integration (compiled to out/test/integration) in a real VS Code
// (code-server, see scripts/code-server-harness.mjs) with the leaking demo running, so tests can attach
// to a live process. The extension host gets SOCKSCOPE_DEMO_PID and SOCKSCOPE_DEMO_PORT.
// Extra arguments go to the harness (e.g. --verbose, --timeout 300, --results-file F, --env K=V).
// Exit code: the harness's (0 pass, 1 test failures or no tests, 2 setup error, 3 timeout).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startDemo } from '../demo/launch.mjs';
import { ROOT } from './tools.mjs';

let demo;
try {
  // A faster client than the interactive demo: one leaked CLOSE_WAIT socket every ~0.6 s, at most 100.
  demo = await startDemo({ args: ['--interval', '200', '--bad-every', '3', '--max', '100', '--quiet'] });
} catch (e) {
  console.error(`[test-integration] ${e.message}`);
  process.exit(2);
}
console.error(`[test-integration] demo leaky server: pid ${demo.pid}, port ${demo.port}`);

const harness = spawn(process.execPath, [path.join(ROOT, 'scripts/code-server-harness.mjs'),
  '--env', `SOCKSCOPE_DEMO_PID=${demo.pid}`, '--env', `SOCKSCOPE_DEMO_PORT=${demo.port}`,
  ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches the harness too (same process group); wait for it to clean up, then stop the demo.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => harness.kill(sig));
const code = await new Promise((resolve) => harness.on('exit', (c, s) => resolve(c ?? (s ? 130 : 2))));
await demo.stop();
process.exit(code);
