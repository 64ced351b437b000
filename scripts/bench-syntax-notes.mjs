#!/usr/bin/env node
// The share of real C/C++ files that get the "syntax errors" note (issue 13: at most 2 %), after the build:
//   node scripts/bench-syntax-notes.mjs --repos DIR [--cli FILE] [--findings OUT.json] [--list]
// Reads the C projects of bench/realworld/projects.json from DIR (laid out as for bench-realworld.mjs:
// DIR/<owner>+<name>/repo, a git directory, e.g. /work/.mirror), writes each tree at its recorded commit into
// a temporary folder (git archive | tar, no shell), runs `check --format json` on it and counts the files with
// the note. --findings writes every finding (for comparing two builds), --list prints the files with the note.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg, root } from './bench-args.mjs';

const reposDir = arg('--repos');
if (!reposDir) {
  console.error('usage: node scripts/bench-syntax-notes.mjs --repos DIR [--cli FILE] [--findings OUT.json] [--list]');
  process.exit(2);
}
const cli = path.resolve(arg('--cli', path.join(root, 'dist', 'cli.js')));
const findingsOut = arg('--findings');
const list = process.argv.includes('--list');

function run(file, args, cwd) {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

function gitDir(repo) {
  const [owner, name] = repo.split('/');
  for (const c of [path.join(reposDir, `${owner}+${name}`, 'repo'), path.join(reposDir, `${owner}+${name}`), path.join(reposDir, owner, name), path.join(reposDir, name)]) {
    if (fs.existsSync(path.join(c, 'HEAD')) && fs.existsSync(path.join(c, 'objects'))) return c;
    if (fs.existsSync(path.join(c, '.git'))) return path.join(c, '.git');
  }
  return undefined;
}

const NOTE = /^sockscope check: (.*): note: syntax errors;/;
const projects = JSON.parse(fs.readFileSync(path.join(root, 'bench', 'realworld', 'projects.json'), 'utf8')).filter((p) => p.language === 'c');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-syntax-'));
const all = {};
let files = 0;
let noted = 0;
try {
  console.log('| project | files | with syntax note |\n| --- | ---: | ---: |');
  for (const p of projects) {
    const g = gitDir(p.repo);
    if (!g) {
      console.log(`| ${p.name} | missing | |`);
      continue;
    }
    const dest = path.join(tmp, p.name);
    fs.mkdirSync(dest, { recursive: true });
    const tar = `${dest}.tar`;
    if ((await run('git', ['--git-dir', g, 'archive', '--format=tar', '-o', tar, p.commit])).code !== 0) {
      console.log(`| ${p.name} | commit missing | |`);
      continue;
    }
    await run('tar', ['-xf', tar, '-C', dest]);
    fs.rmSync(tar, { force: true });
    const [r, text] = await Promise.all([
      run(process.execPath, [cli, 'check', '--format', 'json', '.'], dest),
      run(process.execPath, [cli, 'check', '--format', 'text', '.'], dest),
    ]);
    const checked = Number(/\((\d+) files? checked/.exec(String(text.stdout))?.[1] ?? NaN);
    const withNote = String(r.stderr).split('\n').map((l) => NOTE.exec(l)?.[1]).filter(Boolean);
    files += checked;
    noted += withNote.length;
    all[p.name] = JSON.parse(r.stdout || '[]');
    console.log(`| ${p.name} | ${checked} | ${withNote.length} (${(100 * withNote.length / checked).toFixed(1)} %) |`);
    if (list) for (const f of withNote.sort()) console.log(`    ${p.name}/${f}`);
    fs.rmSync(dest, { recursive: true, force: true });
  }
  console.log(`\nC files with a syntax-error note: ${noted} of ${files} (${(100 * noted / files).toFixed(1)} %)`);
  if (findingsOut) fs.writeFileSync(findingsOut, JSON.stringify(all, null, 1));
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
