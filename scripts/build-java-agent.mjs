#!/usr/bin/env node
// Builds SockScope's Java socket-origins agent (src/core/origins/java) into OUTDIR (dist/lib/java by
// default): sockscope-origins.jar (the -javaagent: Agent and Prologue, with its manifest) and
// sockscope-origins-boot.jar (the Recorder, on the boot class path through the manifest's
// Boot-Class-Path, which names it relative to the agent jar: keep the two side by side). Needs javac and
// jar (a JDK); compiled with --release 11. Used by scripts/build.mjs and by the tests.
//
//   node scripts/build-java-agent.mjs [OUTDIR]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = path.join(root, 'src', 'core', 'origins', 'java', 'sockscope', 'origins');

export function hasJdk() {
  try {
    execFileSync('javac', ['-version'], { stdio: 'ignore' });
    execFileSync('jar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function buildJavaAgent(outDir) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sockscope-java-agent-'));
  try {
    const agentClasses = path.join(work, 'agent');
    const bootClasses = path.join(work, 'boot');
    const javac = (out, files) => execFileSync('javac', ['--release', '11', '-encoding', 'UTF-8', '-Xlint:all', '-Werror', '-d', out, ...files], { stdio: 'inherit' });
    javac(bootClasses, [path.join(sources, 'boot', 'Recorder.java')]);
    javac(agentClasses, readdirSync(sources).filter((f) => f.endsWith('.java')).map((f) => path.join(sources, f)));
    const manifest = path.join(work, 'MANIFEST.MF');
    writeFileSync(manifest, ['Premain-Class: sockscope.origins.Agent', 'Can-Retransform-Classes: true', 'Can-Redefine-Classes: true',
      'Boot-Class-Path: sockscope-origins-boot.jar', ''].join('\n'));
    mkdirSync(outDir, { recursive: true });
    execFileSync('jar', ['cfm', path.join(outDir, 'sockscope-origins.jar'), manifest, '-C', agentClasses, '.']);
    execFileSync('jar', ['cf', path.join(outDir, 'sockscope-origins-boot.jar'), '-C', bootClasses, '.']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildJavaAgent(path.resolve(process.argv[2] ?? path.join(root, 'dist', 'lib', 'java')));
}
