// The demo `npm start` runs (scripts/start.mjs), as real processes: the demo server and the C client
// (demo/leaky_client.c, the seed's send_message) built with -g and started under `sockscope run` by
// demo/launch.mjs. A new user attaching to the pid it gives sees the client's leaked sockets at the
// socket() line of send_message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { CliIo } from '../io';
import { EXIT_OK } from '../io';
import { originsCommand } from './origins';
import { buildRecorder, hasGcc, tempDir } from '../../core/origins/testing/build';
import { repoRoot } from '../../core/platform/linux/testSupport';

const skip = !hasGcc && 'needs Linux and gcc';
interface Stoppable { stop(): Promise<void> }
interface Launch {
  startDemo(o: { args: string[] }): Promise<Stoppable & { pid: number; port: number }>;
  startCClient(o: { port: number; source: string; outDir: string; cli: string; args: string[] }): Promise<(Stoppable & { pid: number }) | { skipped: string }>;
}
let work: string;
const running: Stoppable[] = [];

before(() => {
  if (skip) return;
  work = tempDir('sockscope-origins-demo-');
  const records = path.join(work, 'records');
  fs.mkdirSync(records, { mode: 0o700 });
  process.env.SOCKSCOPE_ORIGINS_DIR = records;
  process.env.SOCKSCOPE_ORIGINS_LIB = buildRecorder(work);
});
after(async () => {
  for (const r of running) await r.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the demo\'s C client runs under sockscope run: its leaked CLOSE_WAIT sockets are at send_message\'s socket() line', { skip, timeout: 120000 }, async () => {
  const launch = await import(pathToFileURL(path.join(repoRoot(), 'demo', 'launch.mjs')).href) as Launch;
  const demo = await launch.startDemo({ args: ['--quiet'] });
  running.push(demo);
  const source = path.join(work, 'leaky_client.c');
  fs.copyFileSync(path.join(repoRoot(), 'demo', 'leaky_client.c'), source);
  const client = await launch.startCClient({ port: demo.port, source, outDir: work, cli: path.join(__dirname, '..', 'cli.js'),
    args: ['--interval', '50', '--long-every', '2', '--max', '5'] });
  assert.ok('pid' in client, 'skipped' in client ? client.skipped : 'no pid');
  running.push(client);
  assert.match(fs.readFileSync(`/proc/${client.pid}/cmdline`, 'utf8'), /leaky_client/, 'the pid is the client\'s, not the runner\'s');

  const line = fs.readFileSync(source, 'utf8').split('\n').findIndex((l) => l.includes('sockfd = socket(')) + 1;
  assert.ok(line > 0);
  type Site = { frames: { file: string | null; line: number | null; function: string | null }[]; states: Record<string, number> };
  let sites: Site[] = [];
  for (let i = 0; i < 100 && !sites.some((s) => (s.states.CLOSE_WAIT ?? 0) >= 5); i++) {
    await new Promise((r) => setTimeout(r, 100));
    let out = '';
    const io: CliIo = { out: (t) => { out += t; }, err: () => undefined, interrupted: new Promise(() => undefined) };
    assert.equal(await originsCommand([String(client.pid), '--json'], io), EXIT_OK);
    sites = (JSON.parse(out) as { sites: Site[] }).sites;
  }
  const top = sites[0];
  assert.deepEqual(top && { at: `${top.frames[0]?.file}:${top.frames[0]?.line} ${top.frames[0]?.function}`, closeWait: top.states.CLOSE_WAIT },
    { at: `${source}:${line} send_message`, closeWait: 5 });
});
