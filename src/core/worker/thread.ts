/**
 * The analysis worker thread (bundled as dist/analysisWorker.js): runs analyzeSource and fixAllPaths
 * off the extension host's thread, and keeps each open document's syntax tree for incremental re-parses.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { analyzeSource, MAX_ANALYSED_BYTES, type AnalysisOptions, type LanguageId, type SourceWorkspace } from '../analysis';
import { indexFiles, workspaceKey } from '../analysis/cWorkspace';
import { fixAllPaths } from '../analysis/fixAll';
import { CWorkspaceIndex } from '../analysis/lang/c/workspaceIndex';
import { GoPackages } from '../analysis/goPackages';
import { JavaProject } from '../analysis/javaProject';
import { PythonProject } from '../analysis/pythonProject';
import { languageForFile } from '../analysis/sources';
import { parserBroken, setTreeCache } from '../analysis/parser';
import { DocumentTrees } from './documentTrees';
import type { AnalyzeReply, AnalyzeRequest, FromWorker, IndexFilesRequest, IndexReply, ToWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('the analysis worker must run in a worker thread');

const trees = new DocumentTrees();
setTreeCache(trees);
const queue: Exclude<ToWorker, { kind: 'cancel' }>[] = [];
const cancelled = new Set<number>();
let draining = false;
/** The C/C++ functions of the workspace files the extension host asked to index (see IndexFilesRequest). */
let cIndex: CWorkspaceIndex | undefined;
let cIndexTransfers = '';

/** The declarations of the Go files of each folder, read when a Go file of that folder is first analysed. */
const goPackages = new GoPackages();
/** The classes of the other files of each Java file's project (as saved), read when a Java file first creates one. */
const javaProject = new JavaProject();
/** What the functions of the project modules each Python file imports return (modules as saved, read when first needed). */
const pythonProject = new PythonProject();

function workspaceOf(file: string | undefined, language: LanguageId): SourceWorkspace | undefined {
  if (file && language === 'go') return { go: goPackages, file: workspaceKey(file) };
  if (file && language === 'java') return { java: javaProject, file: workspaceKey(file) };
  if (file && language === 'python') return { python: pythonProject, file: workspaceKey(file) };
  if (!file || !cIndex || (language !== 'c' && language !== 'cpp')) return undefined;
  return { c: cIndex, file: workspaceKey(file) };
}

/** Indexes the files one at a time; before each, any analysis or fix-all that arrived is handled first. */
async function indexRequest(m: IndexFilesRequest): Promise<IndexReply> {
  const transfers = m.ownershipTransfers.join('\n');
  if (!cIndex || transfers !== cIndexTransfers) {
    cIndex?.dispose();
    cIndex = new CWorkspaceIndex(m.ownershipTransfers);
    cIndexTransfers = transfers;
  }
  const index = cIndex;
  const files = m.paths.flatMap((p) => {
    const language = languageForFile(p);
    return language ? [{ path: p, language, root: p }] : [];
  });
  const stats = await indexFiles(index, files, async () => {
    await new Promise((resolve) => setImmediate(resolve));
    for (let next = takeUrgent(); next; next = takeUrgent()) await handle(next);
  });
  return { indexed: stats.files, files: index.fileCount };
}

/** The next waiting message that is not an index request (analyses go first). */
function takeUrgent(): Exclude<ToWorker, { kind: 'cancel' }> | undefined {
  const i = queue.findIndex((q) => q.kind !== 'indexFiles');
  return i < 0 ? undefined : queue.splice(i, 1)[0];
}

function reply(message: FromWorker): void {
  port!.postMessage(message);
}

async function analyze(m: AnalyzeRequest): Promise<AnalyzeReply> {
  const t0 = performance.now();
  let parse: AnalyzeReply['timing']['parse'] = 'none';
  // Huge or binary text is refused by analyzeSource before any parse: do not keep a tree for it.
  if (m.document !== undefined && m.text.length <= MAX_ANALYSED_BYTES) parse = await trees.update(m.document, m.language, m.text);
  const t1 = performance.now();
  const result = await analyzeSource(m.text, m.language, m.options, workspaceOf(m.path, m.language));
  return { result, version: m.version, timing: { parse, parseMs: t1 - t0, analysisMs: performance.now() - t1 } };
}

async function handle(m: Exclude<ToWorker, { kind: 'cancel' }>): Promise<void> {
  switch (m.kind) {
    case 'edit':
      try {
        trees.edit(m.document, m.changes);
      } catch {
        trees.forget(m.document); // the next analysis parses it from scratch
      }
      return;
    case 'close':
      trees.forget(m.document);
      return;
    case 'unindex':
      cIndex?.remove(workspaceKey(m.path));
      return;
    case 'indexFiles':
      try {
        reply({ id: m.id, ok: true, value: await indexRequest(m) });
      } catch (e) {
        reply({ id: m.id, ok: false, cancelled: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
      return;
    case 'analyze':
    case 'fixAll': {
      const superseded = m.kind === 'analyze' && m.document !== undefined && queue.some((q) => q.kind === 'analyze' && q.document === m.document);
      if (cancelled.delete(m.id) || superseded) {
        reply({ id: m.id, ok: false, cancelled: true, error: 'cancelled' });
        return;
      }
      try {
        const ws = workspaceOf(m.path, m.language);
        const viaIndex = (text: string, language: LanguageId, options: AnalysisOptions) => analyzeSource(text, language, options, ws);
        const value = m.kind === 'analyze' ? await analyze(m) : await fixAllPaths(m.text, m.language, m.options, m.initial, viaIndex);
        reply({ id: m.id, ok: true, value });
      } catch (e) {
        reply({ id: m.id, ok: false, cancelled: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
      cancelled.delete(m.id);
      return;
    }
  }
}

async function drain(): Promise<void> {
  draining = true;
  try {
    for (;;) {
      // Let messages already sent arrive first: a cancel or a newer request for the same document.
      await new Promise((resolve) => setImmediate(resolve));
      const m = queue.shift();
      if (!m) break;
      await handle(m);
      // tree-sitter trapped during that request: this worker's parser cannot be trusted again. Ending the worker
      // makes the client start a fresh one with the next request (and say so in its log).
      const broken = parserBroken();
      if (broken) {
        for (const q of queue.splice(0)) if ('id' in q) reply({ id: q.id, ok: false, cancelled: false, error: broken });
        // After the replies are on their way.
        setTimeout(() => process.exit(0), 100);
        return;
      }
    }
  } finally {
    draining = false;
  }
}

port.on('message', (m: ToWorker) => {
  if (m.kind === 'cancel') {
    if (queue.some((q) => (q.kind === 'analyze' || q.kind === 'fixAll') && q.id === m.id)) cancelled.add(m.id);
    return;
  }
  queue.push(m);
  if (!draining) void drain();
});
