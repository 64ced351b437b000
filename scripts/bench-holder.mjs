// Shared by the socket benchmarks: a child process (test/fixtures/sockets/holder.js) holding `pairs`
// established loopback TCP pairs plus listeners, with RLIMIT_NOFILE raised through prlimit(1).
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Resolves with { child, held } once the holder reports what it holds (its first stdout line, JSON). */
export function startHolder(pairs, ttlSeconds) {
  const nofile = 2 * pairs + 1000;
  const child = spawn('prlimit', [`--nofile=${nofile}:${nofile}`, process.execPath, '--no-deprecation',
    path.join(root, 'test', 'fixtures', 'sockets', 'holder.js'), '--pairs', String(pairs), '--ttl', String(ttlSeconds)],
  { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ child, held: JSON.parse(out.slice(0, out.indexOf('\n'))) });
    });
    child.once('exit', (code) => reject(new Error(`holder exited early (code ${code}); is prlimit installed and the hard limit high enough?`)));
  });
}
