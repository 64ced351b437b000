/**
 * Test support: checks Go source with the real toolchain (`gofmt -l`, `go vet`) in a throw-away module.
 * Used by the Go tests only. It calls execFile directly (argument arrays, no shell) because `go vet`
 * needs a working directory and an offline environment, which the platform CommandRunner does not take.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inTempDir, type ToolCheck } from '../../testing/toolCheck';

/** One build cache per process, kept under the temp dir so later runs are fast. */
const cacheRoot = path.join(os.tmpdir(), 'sockscope-go-cache');

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOFLAGS: '-mod=mod',
    GOPROXY: 'off',
    GOTOOLCHAIN: 'local',
    GO111MODULE: 'on',
    GOCACHE: path.join(cacheRoot, 'build'),
    GOPATH: path.join(cacheRoot, 'path'),
  };
}

function run(file: string, args: readonly string[], cwd: string): Promise<{ code: number; out: string } | 'missing'> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { cwd, env: env(), timeout: 120000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      if (e && e.code === 'ENOENT') resolve('missing');
      else if (e && typeof e.code !== 'number') reject(e);
      else resolve({ code: e ? Number(e.code) : 0, out: `${String(stdout)}${String(stderr)}` });
    });
  });
}

/** Writes `text` as main.go of a new module and runs `gofmt -l` and `go vet` on it. */
export function checkGo(text: string): Promise<ToolCheck> {
  return inTempDir('sockscope-go-', async (dir) => {
    fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/sockscopecheck\n\ngo 1.18\n');
    fs.writeFileSync(path.join(dir, 'main.go'), text);
    const fmt = await run('gofmt', ['-l', 'main.go'], dir);
    if (fmt === 'missing') return { status: 'missing', tool: 'gofmt' };
    if (fmt.code !== 0 || fmt.out.trim() !== '') {
      const diff = await run('gofmt', ['-d', 'main.go'], dir);
      return { status: 'error', output: `gofmt -l: ${fmt.out}\n${diff === 'missing' ? '' : diff.out}` };
    }
    const vet = await run('go', ['vet', '.'], dir);
    if (vet === 'missing') return { status: 'missing', tool: 'go' };
    return vet.code === 0 ? { status: 'ok' } : { status: 'error', output: `go vet: ${vet.out}` };
  });
}
