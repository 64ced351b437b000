#!/usr/bin/env node
// Fix-safety on code nobody here wrote: for every leak-fix record of bench/realworld/leak-fixes.jsonl,
// the file at its parent commit (read from a mirror, as bench-realworld.mjs does) gets every fix SockScope
// offers applied alone, and the file-wide fix-all (src/core/analysis/fixSafety/variants.ts); each fixed text
// is walked by the fix-safety suite's independent path walker (differential.ts): a path that releases a
// descriptor twice, after a hand-off, reads a value the fix reset, uses it after the fix released it or
// assigns a parameter, where the original did not, is an unsafe fix. Prints the counts and each problem.
// Needs `node scripts/build.mjs --tests` (reads out/). A development tool, like cfg-dump.mjs.
//   node scripts/fix-safety-realworld.mjs [--repos /work/.mirror]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const argv = process.argv.slice(2);
const repos = argv.includes('--repos') ? argv[argv.indexOf('--repos') + 1] : '/work/.mirror';
const { fixVariants } = require(path.join(root, 'out/src/core/analysis/fixSafety/variants.js'));
const { differentialProblems } = require(path.join(root, 'out/src/core/analysis/fixSafety/differential.js'));
const { languageForFile } = require(path.join(root, 'out/src/core/analysis/sources.js'));

function gitDir(repo) {
  const [owner, name] = repo.split('/');
  for (const d of [path.join(repos, `${owner}+${name}`, 'repo'), path.join(repos, `${owner}+${name}`), path.join(repos, owner, name), path.join(repos, name)]) {
    if (existsSync(d)) return d;
  }
  return null;
}

const records = readFileSync(path.join(root, 'bench/realworld/leak-fixes.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const seen = new Set();
const totals = new Map();
const problems = [];
for (const r of records) {
  const key = `${r.repo}@${r.parent}:${r.path}`;
  if (seen.has(key)) continue;
  seen.add(key);
  const dir = gitDir(r.repo);
  if (!dir) continue;
  let text;
  try {
    text = execFileSync('git', ['--git-dir', existsSync(path.join(dir, '.git')) ? path.join(dir, '.git') : dir, 'show', `${r.parent}:${r.path}`], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    continue;
  }
  const language = languageForFile(r.path);
  if (!language) continue;
  const t = totals.get(r.language) ?? { files: 0, variants: 0, unsafe: 0 };
  totals.set(r.language, t);
  t.files++;
  const { variants } = await fixVariants(text, language);
  for (const v of variants) {
    t.variants++;
    const found = await differentialProblems(text, v.text, language);
    if (found.length) {
      t.unsafe++;
      problems.push(`${key} ${v.label}: ${found.join('; ')}`);
    }
  }
}
console.log('| language | files | fixed texts (each fix alone, and fix-all) | unsafe |');
console.log('| --- | ---: | ---: | ---: |');
for (const [lang, t] of totals) console.log(`| ${lang} | ${t.files} | ${t.variants} | ${t.unsafe} |`);
for (const p of problems) console.log(`unsafe: ${p}`);
