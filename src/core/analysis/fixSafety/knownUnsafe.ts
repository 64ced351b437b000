/**
 * Fix-safety suite (tests only): known-unsafe.json lists the cases that fail today, each with the
 * reason. A listed case that fails is reported as `todo`; a listed case that passes, or an unlisted
 * case that fails, fails the test — so the list only shrinks as the engine improves.
 */
import * as fs from 'fs';
import * as path from 'path';
import assert from 'node:assert/strict';

function listFile(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'src', 'core', 'analysis', 'fixSafety', 'known-unsafe.json');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`known-unsafe.json not found above ${__dirname}`);
  }
}

let cache: Map<string, string> | undefined;

/** Case id -> why it fails today. */
export function knownUnsafe(): ReadonlyMap<string, string> {
  if (cache) return cache;
  const data = JSON.parse(fs.readFileSync(listFile(), 'utf8')) as Record<string, unknown>;
  cache = new Map();
  for (const [id, reason] of Object.entries(data)) {
    if (typeof reason !== 'string' || !reason) throw new Error(`known-unsafe.json: ${id} needs a reason (a string)`);
    cache.set(id, reason);
  }
  return cache;
}

/**
 * Settles one case's test: `problems` is what is wrong with its fixes today (empty: it passes).
 * A listed case must still fail (then the test is a todo), an unlisted one must pass.
 */
export function settle(t: { todo(message?: string): void }, id: string, problems: readonly string[],
  list: ReadonlyMap<string, string> = knownUnsafe()): void {
  const known = list.get(id);
  if (known === undefined) {
    assert.deepEqual(problems, [], `${id}: the offered fixes are unsafe`);
    return;
  }
  assert.ok(problems.length > 0, `${id} passes now: remove it from src/core/analysis/fixSafety/known-unsafe.json`);
  t.todo(known);
  assert.fail(`${id} (known unsafe: ${known}):\n${problems.join('\n')}`);
}
